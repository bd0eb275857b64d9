//! The example shop's `web` consumer tested against a wiremock server carrying the `orders`
//! contract's interactions (feature `wiremock`).
