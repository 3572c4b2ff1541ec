//! Writing a video file: RGB frames encoded (H.264 by default) plus the
//! copied streams of a [`VideoReader`], through a temporary file that is
//! renamed onto the output only when everything succeeded.

use crate::convert::{is_yuv, rgb_to_frame, set_yuv_layout, YuvLayout};
use crate::reader::{CopiedPacket, Scaler, VideoReader};
use crate::VideoError;
use ffmpeg_next::codec::packet::Packet;
use ffmpeg_next::format::Pixel;
use ffmpeg_next::software::scaling;
use ffmpeg_next::util::frame::video::Video as Frame;
use ffmpeg_next::{codec, encoder, format, Codec, Dictionary, Rational};
use image::RgbImage;
use std::path::{Path, PathBuf};

/// Chroma resolution of the encoded video.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub enum Chroma {
    /// 4:2:0 (half-resolution colour; plays everywhere; needs even sizes).
    #[default]
    Yuv420,
    /// 4:4:4 (full-resolution colour; H.264 High 4:4:4, fewer players).
    Yuv444,
}

/// How to encode the video stream.
#[derive(Clone, Debug)]
pub struct EncodeOptions {
    /// Encoder name (e.g. `libx264`, `libx265`, `libvpx-vp9`); `None` =
    /// libx264 if present, else the best H.264 encoder.
    pub codec: Option<String>,
    /// Constant rate factor (quality; lower is better, 0 is lossless for
    /// x264); `None` = 18.
    pub crf: Option<u32>,
    /// Encoder speed preset (x264/x265: `ultrafast` … `veryslow`); `None` =
    /// the encoder's default.
    pub preset: Option<String>,
    /// Chroma resolution.
    pub chroma: Chroma,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            codec: None,
            crf: None,
            preset: None,
            chroma: Chroma::Yuv420,
        }
    }
}

/// What a finished write produced.
#[derive(Clone, Debug, serde::Serialize)]
pub struct WriteSummary {
    /// The output file.
    pub path: PathBuf,
    /// Video frames encoded.
    pub frames: u64,
    /// Encoder used.
    pub codec: String,
    /// Packets copied from the input's other streams.
    pub copied_packets: u64,
    /// Number of streams copied from the input.
    pub copied_streams: usize,
}

/// Where each input stream's packets go: (output stream index, input time base).
type StreamMap = Vec<Option<(usize, Rational)>>;

/// An output video being written.
pub struct VideoWriter {
    output: Option<format::context::Output>,
    encoder: encoder::Video,
    scaler: Scaler,
    codec_name: String,
    final_path: PathBuf,
    size: (u32, u32),
    encoder_time_base: Rational,
    /// Index of the encoded video stream in the output.
    video_out: usize,
    /// Video ticks added to a frame without a usable timestamp.
    frame_ticks: i64,
    streams: StreamMap,
    frames: u64,
    copied_packets: u64,
    last_pts: Option<i64>,
    /// Last, so that `output` closes the file before it is deleted.
    temp: TempFile,
}

/// `dir/.NAME.partial-PID.EXT`: hidden, unique per process, and with the
/// output's extension so FFmpeg picks the same container.
fn temp_path_for(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "video".into());
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial-{}.{ext}", std::process::id()))
}

/// The temporary output file: deleted when dropped, unless kept. Declared
/// after the muxer that writes it, so the muxer closes it first.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep && std::fs::remove_file(&self.path).is_ok() {
            tracing::info!(path = %self.path.display(), "removed unfinished video");
        }
    }
}

/// The encoder named in `options`, or libx264, or any H.264 encoder.
fn find_encoder(options: &EncodeOptions) -> Result<Codec, VideoError> {
    match &options.codec {
        Some(name) => encoder::find_by_name(name)
            .filter(|c| c.is_video())
            .ok_or_else(|| VideoError::NoEncoder { name: name.clone() }),
        None => encoder::find_by_name("libx264")
            .or_else(|| encoder::find(codec::Id::H264))
            .ok_or_else(|| VideoError::NoEncoder {
                name: "libx264".into(),
            }),
    }
}

/// The requested chroma layout if the encoder takes it, else its first format.
fn pick_pixel_format(codec: &Codec, chroma: Chroma) -> Pixel {
    let wanted = match chroma {
        Chroma::Yuv420 => Pixel::YUV420P,
        Chroma::Yuv444 => Pixel::YUV444P,
    };
    let supported: Vec<Pixel> = codec
        .video()
        .ok()
        .and_then(|v| v.formats().map(|f| f.collect()))
        .unwrap_or_default();
    if supported.is_empty() || supported.contains(&wanted) {
        wanted
    } else {
        supported[0]
    }
}

/// Encoder options: quality, speed and the input's colour facts (as
/// AVCodecContext options, which the encoders copy into the bitstream).
fn encoder_dictionary(options: &EncodeOptions, reader: &VideoReader) -> Dictionary<'static> {
    let mut dict = Dictionary::new();
    dict.set("crf", &options.crf.unwrap_or(18).to_string());
    if let Some(preset) = &options.preset {
        dict.set("preset", preset);
    }
    let decoder = reader.decoder();
    let primaries = ffmpeg_next::ffi::AVColorPrimaries::from(decoder.color_primaries()) as i32;
    let transfer = ffmpeg_next::ffi::AVColorTransferCharacteristic::from(
        decoder.color_transfer_characteristic(),
    ) as i32;
    let space = ffmpeg_next::ffi::AVColorSpace::from(decoder.color_space()) as i32;
    // What the writer produces: full range when the input was (also for
    // yuvj* pixel formats that carry no range tag).
    let range = if input_layout(reader).full_range {
        ffmpeg_next::ffi::AVColorRange::AVCOL_RANGE_JPEG as i32
    } else {
        ffmpeg_next::ffi::AVColorRange::from(decoder.color_range()) as i32
    };
    dict.set("color_primaries", &primaries.to_string());
    dict.set("color_trc", &transfer.to_string());
    dict.set("colorspace", &space.to_string());
    dict.set("color_range", &range.to_string());
    dict
}

/// The YUV matrix and range of the input video (the writer keeps them).
fn input_layout(reader: &VideoReader) -> YuvLayout {
    let decoder = reader.decoder();
    YuvLayout::new(
        decoder.color_space(),
        decoder.color_range(),
        decoder.format(),
    )
}

/// Copies stream-level side data (e.g. the rotation display matrix).
fn copy_side_data(input: &format::stream::Stream, output: &mut format::stream::StreamMut) {
    for side in input.side_data() {
        let data = side.data();
        let kind: ffmpeg_next::ffi::AVPacketSideDataType = side.kind().into();
        // SAFETY: av_stream_new_side_data allocates `data.len()` bytes owned
        // by the output stream (or returns null); we copy exactly that many.
        unsafe {
            let target =
                ffmpeg_next::ffi::av_stream_new_side_data(output.as_mut_ptr(), kind, data.len());
            if !target.is_null() {
                std::ptr::copy_nonoverlapping(data.as_ptr(), target, data.len());
            }
        }
    }
}

impl VideoWriter {
    /// Creates `path` (through a temporary file beside it) with one video
    /// stream of `size` pixels using the input video's time base, frame
    /// rate, aspect ratio, colour facts, metadata and side data, plus a copy
    /// of each of the reader's copied streams.
    pub fn create(
        path: &Path,
        reader: &VideoReader,
        size: (u32, u32),
        options: &EncodeOptions,
    ) -> Result<VideoWriter, VideoError> {
        crate::init()?;
        let write_error = |detail: String| VideoError::Write {
            path: path.to_path_buf(),
            detail,
        };
        let codec = find_encoder(options)?;
        let codec_name = codec.name().to_string();
        let encode_error = |detail: String| VideoError::Encode {
            codec: codec_name.clone(),
            detail,
        };
        let pixel = pick_pixel_format(&codec, options.chroma);
        if pixel == Pixel::YUV420P && (!size.0.is_multiple_of(2) || !size.1.is_multiple_of(2)) {
            return Err(encode_error(format!(
                "4:2:0 video needs an even width and height, not {}x{}; use 4:4:4 chroma (seer: --chroma 444)",
                size.0, size.1
            )));
        }
        let temp = TempFile {
            path: temp_path_for(path),
            keep: false,
        };
        // From here on any early return drops `output`, then `temp`, which
        // deletes the file.
        let mut output = format::output(&temp.path).map_err(|e| write_error(e.to_string()))?;

        let input = &reader.input;
        let Some(in_video) = input.stream(reader.video_index) else {
            return Err(write_error("input video stream vanished".into()));
        };
        let time_base = in_video.time_base();
        let frame_rate = in_video.avg_frame_rate();
        let decoder = reader.decoder();

        let context = codec::context::Context::new_with_codec(codec);
        let mut video = match context.encoder().video() {
            Ok(v) => v,
            Err(e) => return Err(encode_error(e.to_string())),
        };
        video.set_width(size.0);
        video.set_height(size.1);
        video.set_format(pixel);
        video.set_time_base(time_base);
        if frame_rate.numerator() > 0 && frame_rate.denominator() > 0 {
            video.set_frame_rate(Some(frame_rate));
        }
        video.set_aspect_ratio(decoder.aspect_ratio());
        if output
            .format()
            .flags()
            .contains(format::Flags::GLOBAL_HEADER)
        {
            video.set_flags(codec::Flags::GLOBAL_HEADER);
        }
        let encoder = match video.open_with(encoder_dictionary(options, reader)) {
            Ok(e) => e,
            Err(e) => return Err(encode_error(format!("cannot open: {e}"))),
        };

        let mut streams: StreamMap = vec![None; input.nb_streams() as usize];
        let video_out = {
            let mut stream = match output.add_stream(codec) {
                Ok(s) => s,
                Err(e) => return Err(write_error(e.to_string())),
            };
            stream.set_parameters(&encoder);
            stream.set_time_base(time_base);
            stream.set_avg_frame_rate(frame_rate);
            stream.set_metadata(in_video.metadata().to_owned());
            copy_side_data(&in_video, &mut stream);
            stream.index()
        };
        for in_stream in input.streams() {
            if !reader.info().copied_streams.contains(&in_stream.index()) {
                continue;
            }
            let mut stream = match output.add_stream(encoder::find(codec::Id::None)) {
                Ok(s) => s,
                Err(e) => return Err(write_error(e.to_string())),
            };
            stream.set_parameters(in_stream.parameters());
            // SAFETY: the stream owns its codec parameters; a zero tag lets
            // the output container choose its own tag for the codec.
            unsafe {
                (*stream.parameters().as_mut_ptr()).codec_tag = 0;
            }
            stream.set_time_base(in_stream.time_base());
            stream.set_metadata(in_stream.metadata().to_owned());
            copy_side_data(&in_stream, &mut stream);
            streams[in_stream.index()] = Some((stream.index(), in_stream.time_base()));
        }
        streams[reader.video_index] = Some((video_out, time_base));
        output.set_metadata(input.metadata().to_owned());
        // MP4/MOV: index at the front, so players start before the whole
        // file has arrived.
        let mut header_options = Dictionary::new();
        let muxer = output.format().name().to_string();
        if muxer.contains("mp4") || muxer.contains("mov") {
            header_options.set("movflags", "+faststart");
        }
        let header = output
            .write_header_with(header_options)
            .map(|_unused_options| ())
            .map_err(|e| e.to_string());
        if let Err(e) = header {
            let detail = format!(
                "the container refused the streams ({e}); the video codec {codec_name} or a copied stream may not fit this container, try another --codec or extension"
            );
            return Err(write_error(detail));
        }

        let scaler = match scaling::Context::get(
            Pixel::RGB24,
            size.0,
            size.1,
            pixel,
            size.0,
            size.1,
            scaling::Flags::BICUBIC | scaling::Flags::ACCURATE_RND | scaling::Flags::FULL_CHR_H_INT,
        ) {
            Ok(mut s) => {
                let layout = input_layout(reader);
                if is_yuv(pixel) && !set_yuv_layout(&mut s, layout, false) {
                    tracing::warn!(?layout, "swscale ignored the colour matrix; using BT.601");
                }
                Scaler(s)
            }
            Err(e) => {
                return Err(encode_error(format!(
                    "cannot convert RGB to {pixel:?}: {e}"
                )))
            }
        };
        let frame_ticks = if frame_rate.numerator() > 0 && time_base.numerator() > 0 {
            let ticks = f64::from(frame_rate.invert()) / f64::from(time_base);
            (ticks.round() as i64).max(1)
        } else {
            1
        };
        tracing::info!(codec = %codec_name, ?pixel, ?size, temp = %temp.path.display(), "writing video");
        Ok(VideoWriter {
            output: Some(output),
            encoder,
            scaler,
            codec_name,
            final_path: path.to_path_buf(),
            size,
            encoder_time_base: time_base,
            video_out,
            frame_ticks,
            streams,
            frames: 0,
            copied_packets: 0,
            last_pts: None,
            temp,
        })
    }

    fn write_error(&self, detail: String) -> VideoError {
        VideoError::Write {
            path: self.final_path.clone(),
            detail,
        }
    }

    fn encode_error(&self, detail: String) -> VideoError {
        VideoError::Encode {
            codec: self.codec_name.clone(),
            detail,
        }
    }

    /// Encodes one frame shown at `pts` (ticks of the input video's time
    /// base; `None` or a timestamp not after the previous one continues
    /// from the previous frame).
    pub fn write_frame(&mut self, image: &RgbImage, pts: Option<i64>) -> Result<(), VideoError> {
        let (w, h) = image.dimensions();
        if (w, h) != self.size {
            return Err(VideoError::FrameSize {
                width: self.size.0,
                height: self.size.1,
                got_width: w,
                got_height: h,
            });
        }
        let rgb = rgb_to_frame(image);
        let mut yuv = Frame::empty();
        self.scaler
            .0
            .run(&rgb, &mut yuv)
            .map_err(|e| self.encode_error(format!("cannot convert the frame: {e}")))?;
        let pts = match (pts, self.last_pts) {
            (Some(p), Some(last)) if p <= last => last + 1,
            (Some(p), _) => p,
            (None, Some(last)) => last + self.frame_ticks,
            (None, None) => 0,
        };
        self.last_pts = Some(pts);
        yuv.set_pts(Some(pts));
        self.encoder
            .send_frame(&yuv)
            .map_err(|e| self.encode_error(e.to_string()))?;
        self.frames += 1;
        self.drain_encoder()
    }

    /// Writes every packet the encoder has ready.
    fn drain_encoder(&mut self) -> Result<(), VideoError> {
        let video_out = self.video_out;
        let mut packet = Packet::empty();
        while self.encoder.receive_packet(&mut packet).is_ok() {
            let Some(output) = self.output.as_mut() else {
                return Err(self.write_error("the writer is closed".into()));
            };
            let out_time_base = output
                .stream(video_out)
                .map(|s| s.time_base())
                .unwrap_or(self.encoder_time_base);
            packet.set_stream(video_out);
            packet.rescale_ts(self.encoder_time_base, out_time_base);
            if let Err(e) = packet.write_interleaved(output) {
                return Err(self.write_error(e.to_string()));
            }
        }
        Ok(())
    }

    /// Writes a packet of a copied stream unchanged (timestamps rescaled to
    /// the output stream's time base when the container changed it).
    pub fn write_packet(&mut self, copied: CopiedPacket) -> Result<(), VideoError> {
        let mut packet = copied.packet;
        let Some((out_index, in_time_base)) = self.streams.get(packet.stream()).copied().flatten()
        else {
            return Ok(());
        };
        let Some(output) = self.output.as_mut() else {
            return Err(self.write_error("the writer is closed".into()));
        };
        let out_time_base = output
            .stream(out_index)
            .map(|s| s.time_base())
            .unwrap_or(in_time_base);
        packet.set_stream(out_index);
        packet.rescale_ts(in_time_base, out_time_base);
        packet.set_position(-1);
        if let Err(e) = packet.write_interleaved(output) {
            return Err(self.write_error(e.to_string()));
        }
        self.copied_packets += 1;
        Ok(())
    }

    /// Flushes the encoder, completes the file and renames it onto the
    /// output path.
    pub fn finish(mut self) -> Result<WriteSummary, VideoError> {
        self.encoder
            .send_eof()
            .map_err(|e| self.encode_error(e.to_string()))?;
        self.drain_encoder()?;
        let Some(mut output) = self.output.take() else {
            return Err(self.write_error("the writer is closed".into()));
        };
        output
            .write_trailer()
            .map_err(|e| self.write_error(e.to_string()))?;
        drop(output); // closes the file
        std::fs::rename(&self.temp.path, &self.final_path)
            .map_err(|e| self.write_error(format!("cannot rename the finished file: {e}")))?;
        self.temp.keep = true;
        Ok(WriteSummary {
            path: self.final_path.clone(),
            frames: self.frames,
            codec: self.codec_name.clone(),
            copied_packets: self.copied_packets,
            copied_streams: self.streams.iter().flatten().count().saturating_sub(1),
        })
    }
}
