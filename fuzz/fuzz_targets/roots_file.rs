#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| certkit_fuzz::roots_file(data));
