// What the place rules ask of all the entries a name may refer to, as
// bits: computed for every built-in name by the build script (stored with
// its posting list) and at run time for lists a user's names change.
// Included by `build.rs` with `include!`, so it must stay free of
// crate-internal imports.

/// Some entry is a country, not named by its demonym.
pub const HAS_COUNTRY: u8 = 1;
/// Every entry is named by a demonym ("Afghan").
pub const ALL_DEMONYM: u8 = 2;
/// Some entry is a country, division, region or city: one that speaks.
pub const SPEAKS: u8 = 4;
/// Some entry is a country named by its acronym.
pub const COUNTRY_ACRONYM: u8 = 8;
/// Some entry is a division or region, or a city or town of 10,000
/// people or more.
pub const BIG: u8 = 16;
/// Every entry is a town or village under 15,000 people, not named by a
/// demonym.
pub const ALL_SMALL: u8 = 32;
/// Some entry is a country or first-level division.
pub const COUNTRY_OR_ADMIN1: u8 = 64;
/// Some entry is a country, first-level division or region.
pub const COUNTRY_ADMIN1_OR_REGION: u8 = 128;

/// The flags of a name's entries, each given as (kind, population, named
/// by a demonym, named by an acronym).
#[allow(dead_code)] // the build script includes this file too
pub fn candidate_flags<'k>(entries: impl Iterator<Item = (&'k str, u64, bool, bool)>) -> u8 {
    let mut flags = ALL_DEMONYM | ALL_SMALL;
    for (kind, population, demonym, acronym) in entries {
        if kind == "country" && !demonym {
            flags |= HAS_COUNTRY;
        }
        if !demonym {
            flags &= !ALL_DEMONYM;
        }
        if matches!(kind, "country" | "admin1" | "region" | "city") {
            flags |= SPEAKS;
        }
        if kind == "country" && acronym {
            flags |= COUNTRY_ACRONYM;
        }
        if matches!(kind, "admin1" | "admin2" | "region")
            || (matches!(kind, "city" | "town") && population >= 10_000)
        {
            flags |= BIG;
        }
        if demonym || !matches!(kind, "town" | "village") || population >= 15_000 {
            flags &= !ALL_SMALL;
        }
        if matches!(kind, "country" | "admin1") {
            flags |= COUNTRY_OR_ADMIN1;
        }
        if matches!(kind, "country" | "admin1" | "region") {
            flags |= COUNTRY_ADMIN1_OR_REGION;
        }
    }
    flags
}
