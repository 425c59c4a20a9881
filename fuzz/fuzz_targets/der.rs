#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kuvert_fuzz_targets::der(data));
