#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| certkit_fuzz::yaml_document(data));
