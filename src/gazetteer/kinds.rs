// Place kinds, shared by the build script (which stores a kind as its
// index in this list) and the library. Included by `build.rs` with
// `include!`, so it must stay free of crate-internal imports.

/// Kinds a place may have (the contract's list).
pub const PLACE_KINDS: &[&str] = &[
    "country", "admin1", "admin2", "city", "town", "village", "region", "feature", "facility",
];
