//! (being written)
use serde_json::Value;

pub fn run(_body: Value) -> Result<Value, String> {
    Err("not built yet".into())
}
