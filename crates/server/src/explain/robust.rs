//! (being written)
use serde_json::Value;

pub fn shift(_body: Value) -> Result<Value, String> {
    Err("not built yet".into())
}
pub fn misgeneralization(_body: Value) -> Result<Value, String> {
    Err("not built yet".into())
}
pub fn brittle(_body: Value) -> Result<Value, String> {
    Err("not built yet".into())
}
