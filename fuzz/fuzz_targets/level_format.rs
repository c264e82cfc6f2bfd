//! Any bytes through the level format: parsed, and when they parse, played
//! at random and planned on briefly.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    loophole_engine::fuzzing::level_format(data);
});
