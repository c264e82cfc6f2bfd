//! Any bytes through the reward language: compiled as a reward and as an
//! intent, and evaluated on odd signal values when they compile.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    loophole_engine::fuzzing::reward_lang(data);
});
