//! Upscale jobs on single images: file → file, encoded bytes → encoded
//! bytes, decoded image → image. An [`ImageUpscaler`] resolves the job's
//! target size per image and keeps one loaded [`Upscaler`] per planned
//! whole scale (once in all for a scale; a width may need more than one
//! chain for images of mixed sizes).

use crate::{
    EngineChoice, Target, UpscaleError, UpscaleOptions, UpscaleReport, Upscaled, Upscaler,
};
use image::{DynamicImage, ImageFormat};
use seer_core::progress::Progress;
use seer_core::CancelToken;
use seer_imgproc::{DecodedImage, ImageHeader, ImageMetadata};
use seer_models::Store;
use serde::Serialize;
use std::collections::btree_map::{BTreeMap, Entry};
use std::path::Path;

/// What to do with each image.
#[derive(Clone, Debug)]
pub struct ImageJob {
    /// Tier, model family or model id.
    pub model: String,
    /// Output size; `None` = the model's smallest native scale.
    pub target: Option<Target>,
    /// Largest tile side in input pixels, context included.
    pub tile: u32,
    /// Inference threads (`None` = physical cores).
    pub threads: Option<usize>,
    /// Inference engine.
    pub engine: EngineChoice,
    /// Memory budget of one image in bytes (decoding and upscaling).
    pub max_memory: u64,
}

impl Default for ImageJob {
    fn default() -> Self {
        let defaults = UpscaleOptions::default();
        ImageJob {
            model: "photo".into(),
            target: None,
            tile: defaults.tile,
            threads: None,
            engine: defaults.engine,
            max_memory: defaults.max_memory,
        }
    }
}

impl ImageJob {
    /// The upscaler options of this job at `scale`.
    pub fn options(&self, scale: Option<u32>) -> UpscaleOptions {
        let defaults = UpscaleOptions::default();
        UpscaleOptions {
            scale,
            tile: self.tile,
            threads: self.threads.unwrap_or(defaults.threads),
            max_memory: self.max_memory,
            engine: self.engine,
            ..defaults
        }
    }

    /// Refuses settings that cannot work, before any file is touched (see
    /// [`UpscaleOptions::validate`]).
    pub fn validate(&self) -> Result<(), UpscaleError> {
        self.options(None).validate()
    }
}

/// What one image upscale did, besides the pixels (serialised in `--json`
/// output).
#[derive(Clone, Debug, Serialize)]
pub struct ImageUpscale {
    /// EXIF orientation applied to the pixels on read, if any.
    pub orientation_applied: Option<String>,
    /// True when the input's ICC profile was written into the output.
    pub icc_profile_kept: bool,
    /// True when the input's EXIF block was written (orientation reset).
    pub exif_kept: bool,
    /// How the image was upscaled.
    #[serde(flatten)]
    pub report: UpscaleReport,
}

/// The result of upscaling one image file into another.
#[derive(Clone, Debug, Serialize)]
pub struct FileUpscale {
    /// The input file.
    pub input: String,
    /// The output file (complete: written atomically).
    pub output: String,
    /// What the upscale did.
    #[serde(flatten)]
    pub image: ImageUpscale,
}

/// The result of upscaling an encoded image held in memory.
#[derive(Clone, Debug)]
pub struct EncodedUpscale {
    /// The encoded output image.
    pub bytes: Vec<u8>,
    /// Its format (the one asked for).
    pub format: ImageFormat,
    /// What the upscale did.
    pub image: ImageUpscale,
}

/// Runs [`ImageJob`]s: the upscalers of a job, one per planned whole
/// scale, loaded on first use and reused for later images.
pub struct ImageUpscaler<'a> {
    store: &'a Store,
    job: ImageJob,
    loaded: BTreeMap<u32, Upscaler>,
}

impl<'a> ImageUpscaler<'a> {
    /// An upscaler for `job` taking its models from `store` (nothing is
    /// loaded before the first image).
    pub fn new(store: &'a Store, job: ImageJob) -> Self {
        ImageUpscaler {
            store,
            job,
            loaded: BTreeMap::new(),
        }
    }

    /// The job this upscaler runs.
    pub fn job(&self) -> &ImageJob {
        &self.job
    }

    /// The target: the one asked for, else the model's smallest native scale.
    fn target(&self) -> Result<Target, UpscaleError> {
        if let Some(t) = self.job.target {
            return Ok(t);
        }
        let plan = crate::plan(self.store.catalog(), &self.job.model, None)?;
        Ok(Target::Scale(f64::from(plan.scale)))
    }

    /// The upscaler for a whole scale (loading its models the first time).
    fn get(&mut self, scale: u32, progress: &dyn Progress) -> Result<&mut Upscaler, UpscaleError> {
        let upscaler = match self.loaded.entry(scale) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let options = self.job.options(Some(scale));
                entry.insert(Upscaler::with_progress(
                    self.store,
                    &self.job.model,
                    &options,
                    progress,
                )?)
            }
        };
        Ok(upscaler)
    }

    /// Upscales a decoded image to the job's target size, keeping its kind
    /// (grey, alpha, 16 bits; see [`Upscaler::upscale_image`]). `progress`
    /// shows model loading and tiles; `cancel` is checked before each tile.
    pub fn upscale_image(
        &mut self,
        image: &DynamicImage,
        progress: &dyn Progress,
        cancel: &CancelToken,
    ) -> Result<Upscaled<DynamicImage>, UpscaleError> {
        cancel.check()?;
        let (w, h) = (image.width(), image.height());
        let target = self.target()?;
        let size = target.output_size(w, h)?;
        let upscaler = self.get(target.plan_scale(w, h), progress)?;
        upscaler.set_cancel(cancel.clone());
        upscaler.upscale_image_to(image, size, progress)
    }

    /// Refuses, from its header alone, an image whose upscale would not
    /// fit the memory budget (the models of its scale are loaded to know
    /// their needs), so a too-large image is never decoded.
    fn check_header(
        &mut self,
        header: &ImageHeader,
        progress: &dyn Progress,
    ) -> Result<(), UpscaleError> {
        let (w, h) = (header.width, header.height);
        let target = self.target()?;
        let size = target.output_size(w, h)?;
        let upscaler = self.get(target.plan_scale(w, h), progress)?;
        upscaler.check_memory((w, h), size, crate::alpha::image_bytes(header.color))?;
        Ok(())
    }

    /// Upscales a decoded image and encodes it as `format` with its
    /// metadata: the encoded output, whether the metadata was kept, the
    /// report. The decoded input is dropped before encoding.
    fn upscale_decoded(
        &mut self,
        decoded: DecodedImage,
        encode: impl FnOnce(
            &DynamicImage,
            &ImageMetadata,
        ) -> Result<seer_imgproc::MetadataWritten, UpscaleError>,
        progress: &dyn Progress,
        cancel: &CancelToken,
    ) -> Result<ImageUpscale, UpscaleError> {
        let Upscaled { image, report } = self.upscale_image(&decoded.image, progress, cancel)?;
        drop(decoded.image);
        // A cancel during the last tile still leaves no output.
        cancel.check()?;
        let written = encode(&image, &decoded.metadata)?;
        Ok(ImageUpscale {
            orientation_applied: decoded.metadata.orientation_applied.clone(),
            icc_profile_kept: written.icc_profile,
            exif_kept: written.exif,
            report,
        })
    }

    /// Decodes an encoded image (format from its content; EXIF orientation
    /// applied), upscales it and encodes the result as `format`, keeping
    /// the ICC profile and EXIF block where the format holds them.
    pub fn upscale_bytes(
        &mut self,
        bytes: &[u8],
        format: ImageFormat,
        progress: &dyn Progress,
        cancel: &CancelToken,
    ) -> Result<EncodedUpscale, UpscaleError> {
        let max_memory = self.job.max_memory;
        let decoded = seer_imgproc::decode_image_checked(bytes, Some(max_memory), |header| {
            self.check_header(header, progress)
        })?;
        let mut encoded = Vec::new();
        let image = self.upscale_decoded(
            decoded,
            |image, metadata| {
                let (bytes, written) = seer_imgproc::encode_image(image, format, metadata)?;
                encoded = bytes;
                Ok(written)
            },
            progress,
            cancel,
        )?;
        Ok(EncodedUpscale {
            bytes: encoded,
            format,
            image,
        })
    }

    /// Reads `input`, upscales it and writes `output` (format from its
    /// extension) atomically: on any error, a cancel included, no file is
    /// left at `output`. The folder of `output` must exist.
    pub fn upscale_file(
        &mut self,
        input: &Path,
        output: &Path,
        progress: &dyn Progress,
        cancel: &CancelToken,
    ) -> Result<FileUpscale, UpscaleError> {
        if seer_core::atomic::same_file(input, output) {
            return Err(UpscaleError::SameFile {
                path: output.display().to_string(),
            });
        }
        require_output_folder(output)?;
        let format = seer_imgproc::output_format(output)?;
        let max_memory = self.job.max_memory;
        let decoded = seer_imgproc::read_image_checked(input, Some(max_memory), |header| {
            self.check_header(header, progress)
        })?;
        let image = self.upscale_decoded(
            decoded,
            |image, metadata| Ok(seer_imgproc::write_image(image, output, format, metadata)?),
            progress,
            cancel,
        )?;
        Ok(FileUpscale {
            input: input.display().to_string(),
            output: output.display().to_string(),
            image,
        })
    }
}

/// Fails with [`UpscaleError::NoOutputFolder`] when the folder that would
/// hold `path` does not exist.
pub fn require_output_folder(path: &Path) -> Result<(), UpscaleError> {
    match seer_core::atomic::missing_output_folder(path) {
        None => Ok(()),
        Some(dir) => Err(UpscaleError::NoOutputFolder {
            folder: dir.display().to_string(),
        }),
    }
}

/// Upscales the image file `input` into `output` (see
/// [`ImageUpscaler::upscale_file`]).
pub fn upscale_file(
    store: &Store,
    input: &Path,
    output: &Path,
    job: &ImageJob,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<FileUpscale, UpscaleError> {
    ImageUpscaler::new(store, job.clone()).upscale_file(input, output, progress, cancel)
}

/// Upscales an encoded image held in memory into encoded bytes of
/// `format` (see [`ImageUpscaler::upscale_bytes`]); no file is read or
/// written.
pub fn upscale_bytes(
    store: &Store,
    bytes: &[u8],
    format: ImageFormat,
    job: &ImageJob,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<EncodedUpscale, UpscaleError> {
    ImageUpscaler::new(store, job.clone()).upscale_bytes(bytes, format, progress, cancel)
}
