//! The results store after a writer was killed mid-write: the torn last line is not a
//! record, and the next append starts a line of its own, so the store stays readable.
#![cfg(feature = "gate")]

use shakedown::gate::{Record, ResultsStore};

fn deployment(version: &str) -> Record {
    Record::deployment("orders", version, "production")
}

#[test]
fn should_keep_the_store_readable_after_a_torn_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let store = ResultsStore::new(dir.path());
    store.append(&[deployment("1")]).unwrap();
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .expect("the store's file");
    // A writer killed midway: half a record, no newline.
    let mut text = std::fs::read_to_string(&file).unwrap();
    let whole = text.clone();
    text.push_str(&whole[..whole.len() / 2]);
    std::fs::write(&file, text).unwrap();
    assert_eq!(store.read().unwrap().len(), 1, "the torn line is no record");
    store.append(&[deployment("2")]).unwrap();
    let records = store.read().unwrap();
    assert_eq!(records.len(), 2, "{records:?}");
    assert!(
        matches!(&records[1], Record::Deployment { version, .. } if version == "2"),
        "{records:?}"
    );
}
