//! Upscaling evaluation: image quality against high-resolution references
//! ([`quality`]), model speed against the hardware ([`speed`]) and the time
//! the pipeline adds around the model ([`overhead`]).

pub mod cost;
pub mod overhead;
pub mod quality;
pub mod speed;
