//! Which micro-kernels this CPU runs, chosen once when a network is
//! compiled.

/// A family of kernels of the 3×3 (Winograd) convolutions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// 512-bit AVX-512F products (12 blocks × 32 output channels per
    /// micro-kernel call), 256-bit transforms with 32 vector registers.
    Avx512,
    /// 256-bit AVX2/FMA products (6 blocks × 16 output channels).
    Avx2,
}

impl Kernel {
    /// The best kernel this CPU runs, `None` without AVX2 and FMA (the
    /// caller then uses another engine).
    pub fn detect() -> Option<Kernel> {
        [Kernel::Avx512, Kernel::Avx2]
            .into_iter()
            .find(|k| k.available())
    }

    /// Whether this CPU has the instructions of `self`.
    pub fn available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 = std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma");
            match self {
                Kernel::Avx2 => avx2,
                Kernel::Avx512 => {
                    avx2 && std::arch::is_x86_feature_detected!("avx512f")
                        && std::arch::is_x86_feature_detected!("avx512vl")
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = self;
            false
        }
    }

    /// The kernel's name as reports print it.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Avx512 => "AVX-512F",
            Kernel::Avx2 => "AVX2/FMA",
        }
    }
}
