//! Encoding RGB frames into compressed packets without a container, so a
//! caller can store them (e.g. in resumable segments) and mux them later
//! with [`crate::VideoWriter::write_encoded`].

use crate::convert::{is_yuv, rgb_to_frame, set_yuv_layout, YuvLayout};
use crate::reader::{Scaler, VideoReader};
use crate::VideoError;
use ffmpeg_next::codec::packet::Packet;
use ffmpeg_next::format::Pixel;
use ffmpeg_next::software::scaling;
use ffmpeg_next::util::frame::video::Video as Frame;
use ffmpeg_next::{codec, encoder, Codec, Dictionary, Rational};
use image::RgbImage;

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

/// One compressed video packet, timestamps in ticks of the input video's
/// time base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedPacket {
    /// Presentation timestamp (ticks).
    pub pts: Option<i64>,
    /// Decoding timestamp (ticks).
    pub dts: Option<i64>,
    /// Duration (ticks; 0 when unknown).
    pub duration: i64,
    /// True for a keyframe.
    pub key: bool,
    /// The compressed bytes.
    pub data: Vec<u8>,
}

impl EncodedPacket {
    fn from_packet(packet: &Packet) -> EncodedPacket {
        EncodedPacket {
            pts: packet.pts(),
            dts: packet.dts(),
            duration: packet.duration(),
            key: packet.is_key(),
            data: packet.data().unwrap_or(&[]).to_vec(),
        }
    }

    /// The packet as an FFmpeg packet (stream index 0).
    pub(crate) fn to_packet(&self) -> Packet {
        let mut packet = Packet::copy(&self.data);
        packet.set_pts(self.pts);
        packet.set_dts(self.dts);
        packet.set_duration(self.duration);
        if self.key {
            packet.set_flags(codec::packet::Flags::KEY);
        }
        packet
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

/// The YUV matrix and range of the input video (the encoder keeps them).
fn input_layout(reader: &VideoReader) -> YuvLayout {
    let decoder = reader.decoder();
    YuvLayout::new(
        decoder.color_space(),
        decoder.color_range(),
        decoder.format(),
    )
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
    // What the encoder produces: full range when the input was (also for
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

/// An opened encoder turning RGB frames of one size into packets. Every
/// encoder starts with a keyframe (an IDR picture for H.264/H.265) and
/// its pictures reference no earlier encoder's, so the packets of
/// consecutive encoders can be joined into one stream.
pub struct FrameEncoder {
    pub(crate) encoder: encoder::Video,
    pub(crate) codec: Codec,
    scaler: Scaler,
    codec_name: String,
    size: (u32, u32),
    time_base: Rational,
    /// Video ticks added to a frame without a usable timestamp.
    frame_ticks: i64,
    frames: u64,
    last_pts: Option<i64>,
}

impl FrameEncoder {
    /// Opens the encoder of `options` for frames of `size` pixels with the
    /// time base, frame rate, aspect ratio and colour facts of `reader`'s
    /// video. `global_header` puts the codec headers in the stream
    /// parameters ([`FrameEncoder::extradata`]) instead of every keyframe,
    /// as MP4, MOV, MKV and WebM want.
    pub fn open(
        reader: &VideoReader,
        size: (u32, u32),
        options: &EncodeOptions,
        global_header: bool,
    ) -> Result<FrameEncoder, VideoError> {
        crate::init()?;
        let codec = find_encoder(options)?;
        let codec_name = codec.name().to_string();
        let encode_error = |step: &'static str| {
            let codec = codec_name.clone();
            move |source| VideoError::Encode {
                codec,
                step,
                source,
            }
        };
        let pixel = pick_pixel_format(&codec, options.chroma);
        if pixel == Pixel::YUV420P && (!size.0.is_multiple_of(2) || !size.1.is_multiple_of(2)) {
            return Err(VideoError::OddSize {
                width: size.0,
                height: size.1,
            });
        }
        let Some(in_video) = reader.input.stream(reader.video_index) else {
            return Err(VideoError::StreamVanished {
                path: reader.info().path.clone(),
            });
        };
        let time_base = in_video.time_base();
        let frame_rate = in_video.avg_frame_rate();
        let decoder = reader.decoder();
        let context = codec::context::Context::new_with_codec(codec);
        let mut video = context
            .encoder()
            .video()
            .map_err(encode_error("creating the encoder"))?;
        video.set_width(size.0);
        video.set_height(size.1);
        video.set_format(pixel);
        video.set_time_base(time_base);
        if frame_rate.numerator() > 0 && frame_rate.denominator() > 0 {
            video.set_frame_rate(Some(frame_rate));
        }
        video.set_aspect_ratio(decoder.aspect_ratio());
        if global_header {
            video.set_flags(codec::Flags::GLOBAL_HEADER);
        }
        let encoder = video
            .open_with(encoder_dictionary(options, reader))
            .map_err(encode_error("opening the encoder"))?;
        let mut scaler = scaling::Context::get(
            Pixel::RGB24,
            size.0,
            size.1,
            pixel,
            size.0,
            size.1,
            scaling::Flags::BICUBIC | scaling::Flags::ACCURATE_RND | scaling::Flags::FULL_CHR_H_INT,
        )
        .map_err(encode_error("preparing the conversion from RGB"))?;
        let layout = input_layout(reader);
        if is_yuv(pixel) && !set_yuv_layout(&mut scaler, layout, false) {
            tracing::warn!(?layout, "swscale ignored the colour matrix; using BT.601");
        }
        let frame_ticks = if frame_rate.numerator() > 0 && time_base.numerator() > 0 {
            let ticks = f64::from(frame_rate.invert()) / f64::from(time_base);
            (ticks.round() as i64).max(1)
        } else {
            1
        };
        Ok(FrameEncoder {
            encoder,
            codec,
            scaler: Scaler(scaler),
            codec_name,
            size,
            time_base,
            frame_ticks,
            frames: 0,
            last_pts: None,
        })
    }

    /// Name of the encoder (e.g. `libx264`).
    pub fn codec_name(&self) -> &str {
        &self.codec_name
    }

    /// Frames encoded so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Seconds per timestamp tick as (numerator, denominator).
    pub fn time_base(&self) -> (i32, i32) {
        (self.time_base.numerator(), self.time_base.denominator())
    }

    pub(crate) fn rational_time_base(&self) -> Rational {
        self.time_base
    }

    /// The codec's global headers (e.g. H.264 SPS/PPS); empty without
    /// `global_header` or for codecs that have none.
    pub fn extradata(&self) -> &[u8] {
        // SAFETY: the opened context owns `extradata_size` bytes at
        // `extradata` (or a null pointer) for as long as it lives.
        unsafe {
            let context = self.encoder.as_ptr();
            let data = (*context).extradata;
            let size = usize::try_from((*context).extradata_size).unwrap_or(0);
            if data.is_null() || size == 0 {
                &[]
            } else {
                std::slice::from_raw_parts(data, size)
            }
        }
    }

    fn encode_error(&self, step: &'static str, source: ffmpeg_next::Error) -> VideoError {
        VideoError::Encode {
            codec: self.codec_name.clone(),
            step,
            source,
        }
    }

    /// Encodes one frame shown at `pts` (ticks of the input video's time
    /// base; `None` or a timestamp not after the previous one continues
    /// from the previous frame) and returns the packets now ready.
    pub fn encode(
        &mut self,
        image: &RgbImage,
        pts: Option<i64>,
    ) -> Result<Vec<EncodedPacket>, VideoError> {
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
            .map_err(|e| self.encode_error("converting the frame", e))?;
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
            .map_err(|e| self.encode_error("sending a frame", e))?;
        self.frames += 1;
        Ok(self.drain())
    }

    /// Flushes the encoder and returns its last packets.
    pub fn finish(&mut self) -> Result<Vec<EncodedPacket>, VideoError> {
        self.encoder
            .send_eof()
            .map_err(|e| self.encode_error("flushing the encoder", e))?;
        Ok(self.drain())
    }

    /// Every packet the encoder has ready.
    fn drain(&mut self) -> Vec<EncodedPacket> {
        let mut packets = Vec::new();
        let mut packet = Packet::empty();
        while self.encoder.receive_packet(&mut packet).is_ok() {
            packets.push(EncodedPacket::from_packet(&packet));
        }
        packets
    }
}
