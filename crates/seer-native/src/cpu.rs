//! Which micro-kernels this CPU runs, chosen once when a network is
//! compiled.

/// A family of kernels of the 3×3 (Winograd) convolutions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// 256-bit AVX2/FMA products (6 blocks × 16 output channels).
    Avx2,
}

impl Kernel {
    /// The best kernel this CPU runs, `None` without AVX2 and FMA (the
    /// caller then uses another engine).
    pub fn detect() -> Option<Kernel> {
        [Kernel::Avx2].into_iter().find(|k| k.available())
    }

    /// Whether this CPU has the instructions of `self`.
    pub fn available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 = std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma");
            match self {
                Kernel::Avx2 => avx2,
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
            Kernel::Avx2 => "AVX2/FMA",
        }
    }
}
