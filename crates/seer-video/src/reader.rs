//! Reading a video file: RGB frames of the main video stream, and the
//! packets of the streams that are copied (audio, subtitles) untouched.

use crate::convert::{frame_to_rgb, is_yuv, set_yuv_layout, YuvLayout};
use crate::VideoError;
use ffmpeg_next::codec::packet::Packet;
use ffmpeg_next::format::Pixel;
use ffmpeg_next::media::Type as Media;
use ffmpeg_next::software::scaling;
use ffmpeg_next::util::frame::video::Video as Frame;
use ffmpeg_next::{decoder, format, Rational};
use image::RgbImage;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// Facts about an opened video (serialised in reports).
#[derive(Clone, Debug, serde::Serialize)]
pub struct VideoInfo {
    /// The file.
    pub path: PathBuf,
    /// Width and height of the video frames in pixels.
    pub size: (u32, u32),
    /// Seconds per timestamp tick of the video stream, as (numerator, denominator).
    pub time_base: (i32, i32),
    /// Average frame rate in frames per second as (numerator, denominator);
    /// (0, 1) when unknown.
    pub frame_rate: (i32, i32),
    /// Number of video frames the container declares or, failing that,
    /// duration × frame rate; `None` when neither is known.
    pub frames: Option<u64>,
    /// Number of video frames the container's index lists (MP4/MOV), when
    /// it has one; a file that decodes to fewer is truncated.
    pub declared_frames: Option<u64>,
    /// Duration of the file in seconds, when known.
    pub duration_s: Option<f64>,
    /// Name of the video codec (e.g. `h264`).
    pub codec: String,
    /// Indices of the input streams that are copied (audio, subtitles).
    pub copied_streams: Vec<usize>,
}

/// Frame rate assumed when a file declares none that is usable, frames
/// per second.
pub const FALLBACK_FPS: f64 = 25.0;

impl VideoInfo {
    /// The frame rate in frames per second: the declared average, else
    /// frames over duration, else [`FALLBACK_FPS`] (always above 0 and at
    /// most 1000).
    pub fn fps(&self) -> f64 {
        let (num, den) = self.frame_rate;
        let usable = |v: f64| v.is_finite() && v > 0.0 && v <= 1000.0;
        let declared = f64::from(num) / f64::from(den);
        if den != 0 && usable(declared) {
            return declared;
        }
        if let (Some(frames), Some(duration)) = (self.frames, self.duration_s) {
            let estimate = frames as f64 / duration;
            if usable(estimate) {
                return estimate;
            }
        }
        FALLBACK_FPS
    }
}

/// One decoded video frame.
#[derive(Clone, Debug)]
pub struct VideoFrame {
    /// The picture as 8-bit RGB.
    pub image: RgbImage,
    /// Presentation timestamp in ticks of [`VideoInfo::time_base`]
    /// (`None` when the file has none).
    pub pts: Option<i64>,
    /// Position of the frame in display order, from 0.
    pub index: u64,
}

/// A packet of a copied stream, exactly as stored in the input.
pub struct CopiedPacket {
    pub(crate) packet: Packet,
    time_base: Rational,
}

impl CopiedPacket {
    /// Index of the input stream the packet belongs to.
    pub fn stream(&self) -> usize {
        self.packet.stream()
    }

    /// The packet's payload bytes.
    pub fn data(&self) -> &[u8] {
        self.packet.data().unwrap_or(&[])
    }

    /// Presentation timestamp in ticks of its input stream's time base.
    pub fn pts(&self) -> Option<i64> {
        self.packet.pts()
    }

    /// Decoding time (else presentation time) in seconds: the order in
    /// which a muxer wants packets.
    pub fn dts_seconds(&self) -> Option<f64> {
        self.packet
            .dts()
            .or(self.packet.pts())
            .map(|t| t as f64 * f64::from(self.time_base))
    }

    /// Presentation time in seconds.
    pub fn pts_seconds(&self) -> Option<f64> {
        self.packet
            .pts()
            .map(|p| p as f64 * f64::from(self.time_base))
    }
}

/// What a [`VideoReader`] yields, in file order.
pub enum Item {
    /// A decoded frame of the main video stream.
    Frame(VideoFrame),
    /// A packet of a copied stream.
    Packet(CopiedPacket),
}

/// Converts decoded frames to RGB24.
pub(crate) struct Scaler(pub(crate) scaling::Context);

// SAFETY: an SwsContext is plain heap state with no thread affinity; the
// wrapper owns it exclusively and only uses it through `&mut self`.
unsafe impl Send for Scaler {}

/// An opened video file, read frame by frame.
pub struct VideoReader {
    pub(crate) input: format::context::Input,
    decoder: decoder::Video,
    scaler: Option<Scaler>,
    pub(crate) video_index: usize,
    info: VideoInfo,
    pending: VecDeque<Item>,
    frames: u64,
    input_done: bool,
    decoder_done: bool,
    /// Whether packets of the copied streams are queued (else dropped).
    copy_streams: bool,
}

fn rational(r: Rational) -> (i32, i32) {
    (r.numerator(), r.denominator())
}

impl VideoReader {
    /// Opens `path` and its best video stream; audio and subtitle streams
    /// are marked for copying.
    pub fn open(path: &Path) -> Result<VideoReader, VideoError> {
        crate::init()?;
        let open_error = |step: &'static str| {
            move |source| VideoError::Open {
                path: path.to_path_buf(),
                step,
                source,
            }
        };
        if !path.is_file() {
            return Err(VideoError::NotFound {
                path: path.to_path_buf(),
            });
        }
        let input = format::input(&path).map_err(open_error("reading the container"))?;
        let stream =
            input
                .streams()
                .best(Media::Video)
                .ok_or_else(|| VideoError::NoVideoStream {
                    path: path.to_path_buf(),
                })?;
        let video_index = stream.index();
        let context = ffmpeg_next::codec::context::Context::from_parameters(stream.parameters())
            .map_err(open_error("reading the codec parameters"))?;
        let decoder = context
            .decoder()
            .video()
            .map_err(open_error("opening the video decoder"))?;
        if decoder.width() == 0 || decoder.height() == 0 {
            return Err(VideoError::NoPictureSize {
                path: path.to_path_buf(),
            });
        }
        let frame_rate = stream.avg_frame_rate();
        let duration_s = (input.duration() > 0)
            .then(|| input.duration() as f64 / f64::from(ffmpeg_next::ffi::AV_TIME_BASE));
        let declared = u64::try_from(stream.frames()).ok().filter(|&n| n > 0);
        let estimated = match (duration_s, f64::from(frame_rate)) {
            (Some(d), fps) if fps.is_finite() && fps > 0.0 => Some((d * fps).round() as u64),
            _ => None,
        };
        let copied_streams = input
            .streams()
            .filter(|s| {
                let medium = s.parameters().medium();
                medium == Media::Audio || medium == Media::Subtitle
            })
            .map(|s| s.index())
            .collect();
        let info = VideoInfo {
            path: path.to_path_buf(),
            size: (decoder.width(), decoder.height()),
            time_base: rational(stream.time_base()),
            frame_rate: rational(frame_rate),
            frames: declared.or(estimated),
            declared_frames: declared,
            duration_s,
            codec: decoder
                .codec()
                .map(|c| c.name().to_string())
                .unwrap_or_default(),
            copied_streams,
        };
        tracing::info!(?info, "opened video");
        Ok(VideoReader {
            input,
            decoder,
            scaler: None,
            video_index,
            info,
            pending: VecDeque::new(),
            frames: 0,
            input_done: false,
            decoder_done: false,
            copy_streams: true,
        })
    }

    /// Facts about the video.
    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    /// `pts` (ticks of the video time base) in seconds.
    pub fn seconds(&self, pts: i64) -> f64 {
        let (num, den) = self.info.time_base;
        if den == 0 {
            return 0.0;
        }
        pts as f64 * f64::from(num) / f64::from(den)
    }

    /// When `frame` is shown, seconds: its timestamp, else its position
    /// over the frame rate.
    pub fn frame_time(&self, frame: &VideoFrame) -> f64 {
        match frame.pts {
            Some(pts) => self.seconds(pts),
            None => frame.index as f64 / self.info.fps(),
        }
    }

    /// Colour facts of the video stream, for the encoder.
    pub(crate) fn decoder(&self) -> &decoder::Video {
        &self.decoder
    }

    /// At the end of the video: fewer frames than the container's index
    /// lists means the data was cut off (e.g. a truncated MP4 whose index
    /// comes first), which is an error, not a quiet early end.
    fn check_complete(&self) -> Result<(), VideoError> {
        match self.info.declared_frames {
            Some(declared) if self.frames < declared => Err(VideoError::Truncated {
                path: self.info.path.clone(),
                frames: self.frames,
                declared,
            }),
            _ => Ok(()),
        }
    }

    fn decode_error(&self, step: &'static str, source: ffmpeg_next::Error) -> VideoError {
        VideoError::Decode {
            path: self.info.path.clone(),
            frames: self.frames,
            step,
            source,
        }
    }

    /// Whether [`VideoReader::next_item`] yields the packets of the copied
    /// streams (the default) or drops them (when only frames are wanted).
    pub fn set_copy_streams(&mut self, copy: bool) {
        self.copy_streams = copy;
    }

    /// Decodes the next `count` frames without converting them to RGB
    /// (fast skipping, e.g. to resume) and returns their timestamps.
    /// Fewer come back when the video ends first. Copied packets met on
    /// the way are queued as usual.
    pub fn skip_frames(&mut self, count: u64) -> Result<Vec<Option<i64>>, VideoError> {
        let mut skipped = Vec::new();
        let target = self.frames + count;
        while self.frames < target {
            let mut decoded = Frame::empty();
            match self.decoder.receive_frame(&mut decoded) {
                Ok(()) => {
                    skipped.push(decoded.timestamp());
                    self.frames += 1;
                    continue;
                }
                Err(ffmpeg_next::Error::Eof) => {
                    self.decoder_done = true;
                    self.check_complete()?;
                    break;
                }
                Err(ffmpeg_next::Error::Other { errno }) if errno == ffmpeg_next::error::EAGAIN => {
                }
                Err(e) => return Err(self.decode_error("decoding a frame", e)),
            }
            if self.input_done {
                self.decoder_done = true;
                self.check_complete()?;
                break;
            }
            self.read_packet()?;
        }
        Ok(skipped)
    }

    /// The next packet of a copied stream, read without decoding any video
    /// (video packets are passed over); `None` at the end of the file. Do
    /// not mix with [`VideoReader::next_item`] on the same reader.
    pub fn next_copied_packet(&mut self) -> Result<Option<CopiedPacket>, VideoError> {
        loop {
            if let Some(Item::Packet(packet)) = self.pending.pop_front() {
                return Ok(Some(packet));
            }
            if self.input_done {
                return Ok(None);
            }
            let mut packet = Packet::empty();
            match packet.read(&mut self.input) {
                Ok(()) => {
                    if let Some(copied) = self.copied(packet) {
                        return Ok(Some(copied));
                    }
                }
                Err(ffmpeg_next::Error::Eof) => self.input_done = true,
                Err(e) => return Err(self.decode_error("reading a packet", e)),
            }
        }
    }

    /// `packet` as a copied packet when it belongs to a copied stream.
    fn copied(&self, packet: Packet) -> Option<CopiedPacket> {
        if !self.info.copied_streams.contains(&packet.stream()) {
            return None;
        }
        let time_base = self
            .input
            .stream(packet.stream())
            .map(|s| s.time_base())
            .unwrap_or(Rational(0, 1));
        Some(CopiedPacket { packet, time_base })
    }

    /// The next frame or copied packet in file order; `None` at the end.
    /// Read and decode errors (a truncated or corrupt file) are errors.
    pub fn next_item(&mut self) -> Result<Option<Item>, VideoError> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Ok(Some(item));
            }
            if self.decoder_done {
                return Ok(None);
            }
            let mut decoded = Frame::empty();
            match self.decoder.receive_frame(&mut decoded) {
                Ok(()) => return self.convert_frame(&decoded).map(|f| Some(Item::Frame(f))),
                Err(ffmpeg_next::Error::Eof) => {
                    self.decoder_done = true;
                    self.check_complete()?;
                    continue;
                }
                Err(ffmpeg_next::Error::Other { errno }) if errno == ffmpeg_next::error::EAGAIN => {
                }
                Err(e) => return Err(self.decode_error("decoding a frame", e)),
            }
            if self.input_done {
                // The decoder was drained and asks for input it will never get.
                self.decoder_done = true;
                self.check_complete()?;
                continue;
            }
            self.read_packet()?;
        }
    }

    /// Reads one packet: video goes to the decoder, copied streams to
    /// `pending`, others are skipped.
    fn read_packet(&mut self) -> Result<(), VideoError> {
        let mut packet = Packet::empty();
        match packet.read(&mut self.input) {
            Ok(()) => {
                if packet.stream() == self.video_index {
                    self.decoder
                        .send_packet(&packet)
                        .map_err(|e| self.decode_error("decoding a packet", e))?;
                } else if self.copy_streams {
                    if let Some(copied) = self.copied(packet) {
                        self.pending.push_back(Item::Packet(copied));
                    }
                }
                Ok(())
            }
            Err(ffmpeg_next::Error::Eof) => {
                self.input_done = true;
                self.decoder
                    .send_eof()
                    .map_err(|e| self.decode_error("flushing the decoder", e))
            }
            Err(e) => Err(self.decode_error("reading a packet", e)),
        }
    }

    /// Converts a decoded frame to RGB (the converter follows the frame's
    /// pixel format and size).
    fn convert_frame(&mut self, decoded: &Frame) -> Result<VideoFrame, VideoError> {
        let (w, h, format) = (decoded.width(), decoded.height(), decoded.format());
        let stale = match &self.scaler {
            Some(s) => {
                let input = s.0.input();
                (input.width, input.height, input.format) != (w, h, format)
            }
            None => true,
        };
        if stale {
            let context = scaling::Context::get(
                format,
                w,
                h,
                Pixel::RGB24,
                w,
                h,
                scaling::Flags::BICUBIC
                    | scaling::Flags::ACCURATE_RND
                    | scaling::Flags::FULL_CHR_H_INT,
            )
            .map_err(|e| self.decode_error("preparing the conversion to RGB", e))?;
            let mut context = context;
            if is_yuv(format) {
                let layout = YuvLayout::new(decoded.color_space(), decoded.color_range(), format);
                if !set_yuv_layout(&mut context, layout, true) {
                    tracing::warn!(?layout, "swscale ignored the colour matrix; using BT.601");
                }
            }
            self.scaler = Some(Scaler(context));
        }
        let mut rgb = Frame::empty();
        if let Some(scaler) = self.scaler.as_mut() {
            scaler
                .0
                .run(decoded, &mut rgb)
                .map_err(|source| VideoError::Decode {
                    path: self.info.path.clone(),
                    frames: self.frames,
                    step: "converting to RGB",
                    source,
                })?;
        }
        let frame = VideoFrame {
            image: frame_to_rgb(&rgb),
            pts: decoded.timestamp(),
            index: self.frames,
        };
        self.frames += 1;
        Ok(frame)
    }
}
