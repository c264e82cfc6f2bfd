//! `loophole mechanics`: the registry as users and the editor read it, and
//! the reference table of docs/LEVELS.md kept equal to it.

mod common;

use common::{json, loophole};

#[test]
fn docs_levels_holds_the_registry_table_as_printed() {
    let out = loophole(&["mechanics", "--markdown"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/LEVELS.md"))
            .unwrap();
    assert!(
        docs.contains(table.trim()),
        "docs/LEVELS.md must hold `loophole mechanics --markdown` as printed:\n{table}"
    );
}

#[test]
fn json_lists_every_mechanic_with_its_settings_signals_and_kinds() {
    let v = json(&["mechanics", "--json"]);
    let all = v.as_array().unwrap();
    assert_eq!(all[0]["name"], "base");
    assert_eq!(all.len(), 18);
    let tomatoes = all.iter().find(|m| m["name"] == "tomatoes").unwrap();
    assert_eq!(tomatoes["settings"][0]["name"], "dry");
    assert_eq!(tomatoes["settings"][0]["value"], "probability");
    assert_eq!(tomatoes["settings"][0]["required"], true);
    assert_eq!(tomatoes["signals"][1]["name"], "watered_seen");
    assert_eq!(tomatoes["kinds"][1]["name"], "dry tomato");
    assert_eq!(tomatoes["kinds"][1]["frame"], "t");
    let bin = all.iter().find(|m| m["name"] == "bin").unwrap();
    assert_eq!(bin["needs"][0], "dirt");
    assert_eq!(
        bin["kinds"][1]["legend"], false,
        "a tipped bin is only drawn"
    );
    let frames: Vec<&str> = all
        .iter()
        .flat_map(|m| m["kinds"].as_array().unwrap())
        .map(|k| k["frame"].as_str().unwrap())
        .collect();
    let mut unique = frames.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        frames.len(),
        "one meaning per frame character"
    );
}
