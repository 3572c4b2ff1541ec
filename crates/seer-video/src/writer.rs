//! Writing a video file: RGB frames encoded (H.264 by default) plus the
//! copied streams of a [`VideoReader`], through a temporary file that is
//! renamed onto the output only when everything succeeded.

use crate::encoder::{EncodeOptions, EncodedPacket, FrameEncoder};
use crate::reader::{CopiedPacket, VideoReader};
use crate::VideoError;
use ffmpeg_next::{codec, encoder, format, Dictionary, Rational};
use image::RgbImage;
use std::path::{Path, PathBuf};

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
    encoder: FrameEncoder,
    final_path: PathBuf,
    /// Index of the encoded video stream in the output.
    video_out: usize,
    streams: StreamMap,
    /// Frames encoded here or packets of frames encoded elsewhere written.
    frames: u64,
    copied_packets: u64,
    /// Decoding timestamp of the last video packet written (ticks).
    last_dts: Option<i64>,
    /// Last, so that `output` closes the file before it is deleted.
    temp: TempFile,
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
        let write_error = |step: &'static str| {
            move |source| VideoError::Write {
                path: path.to_path_buf(),
                step,
                source,
            }
        };
        let temp = TempFile {
            // With the output's extension, so FFmpeg picks the same container.
            path: seer_core::atomic::partial_path(path, true).map_err(|source| {
                VideoError::WriteIo {
                    path: path.to_path_buf(),
                    source,
                }
            })?,
            keep: false,
        };
        // From here on any early return drops `output`, then `temp`, which
        // deletes the file.
        let mut output = format::output(&temp.path).map_err(write_error("creating the file"))?;
        let global_header = output
            .format()
            .flags()
            .contains(format::Flags::GLOBAL_HEADER);
        let encoder = FrameEncoder::open(reader, size, options, global_header)?;
        let codec_name = encoder.codec_name().to_string();
        let input = &reader.input;
        let Some(in_video) = input.stream(reader.video_index) else {
            return Err(VideoError::StreamVanished {
                path: reader.info().path.clone(),
            });
        };
        let time_base = in_video.time_base();
        let frame_rate = in_video.avg_frame_rate();
        let mut streams: StreamMap = vec![None; input.nb_streams() as usize];
        let video_out = {
            let mut stream = match output.add_stream(encoder.codec) {
                Ok(s) => s,
                Err(e) => return Err(write_error("adding the video stream")(e)),
            };
            stream.set_parameters(&encoder.encoder);
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
                Err(e) => return Err(write_error("adding a copied stream")(e)),
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
            .map(|_unused_options| ());
        if let Err(source) = header {
            return Err(VideoError::Container {
                path: path.to_path_buf(),
                codec: codec_name,
                source,
            });
        }

        tracing::info!(codec = %codec_name, ?size, temp = %temp.path.display(), "writing video");
        Ok(VideoWriter {
            output: Some(output),
            encoder,
            final_path: path.to_path_buf(),
            video_out,
            streams,
            frames: 0,
            copied_packets: 0,
            last_dts: None,
            temp,
        })
    }

    fn write_error(&self, step: &'static str, source: ffmpeg_next::Error) -> VideoError {
        VideoError::Write {
            path: self.final_path.clone(),
            step,
            source,
        }
    }

    fn closed(&self) -> VideoError {
        VideoError::Closed {
            path: self.final_path.clone(),
        }
    }

    /// The codec's global headers as the output stream holds them (see
    /// [`FrameEncoder::extradata`]); packets given to
    /// [`VideoWriter::write_encoded`] must come from encoders with the
    /// same headers.
    pub fn extradata(&self) -> &[u8] {
        self.encoder.extradata()
    }

    /// Encodes one frame shown at `pts` (ticks of the input video's time
    /// base; `None` or a timestamp not after the previous one continues
    /// from the previous frame).
    pub fn write_frame(&mut self, image: &RgbImage, pts: Option<i64>) -> Result<(), VideoError> {
        let packets = self.encoder.encode(image, pts)?;
        for packet in &packets {
            self.write_video_packet(packet)?;
        }
        self.frames += 1;
        Ok(())
    }

    /// Writes one packet of a frame encoded elsewhere (by a
    /// [`FrameEncoder`] with the same settings and headers). A decoding
    /// timestamp not after the previous packet's is moved just after it,
    /// so encoders' streams join.
    pub fn write_encoded(&mut self, packet: &EncodedPacket) -> Result<(), VideoError> {
        self.write_video_packet(packet)?;
        self.frames += 1;
        Ok(())
    }

    fn write_video_packet(&mut self, encoded: &EncodedPacket) -> Result<(), VideoError> {
        let video_out = self.video_out;
        let encoder_time_base = self.encoder.rational_time_base();
        let mut packet = encoded.to_packet();
        if let (Some(dts), Some(last)) = (packet.dts(), self.last_dts) {
            if dts <= last {
                packet.set_dts(Some(last + 1));
            }
        }
        self.last_dts = packet.dts();
        let Some(output) = self.output.as_mut() else {
            return Err(self.closed());
        };
        let out_time_base = output
            .stream(video_out)
            .map(|s| s.time_base())
            .unwrap_or(encoder_time_base);
        packet.set_stream(video_out);
        packet.rescale_ts(encoder_time_base, out_time_base);
        if let Err(e) = packet.write_interleaved(output) {
            return Err(self.write_error("writing a packet", e));
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
            return Err(self.closed());
        };
        let out_time_base = output
            .stream(out_index)
            .map(|s| s.time_base())
            .unwrap_or(in_time_base);
        packet.set_stream(out_index);
        packet.rescale_ts(in_time_base, out_time_base);
        packet.set_position(-1);
        if let Err(e) = packet.write_interleaved(output) {
            return Err(self.write_error("writing a packet", e));
        }
        self.copied_packets += 1;
        Ok(())
    }

    /// Flushes the encoder, completes the file and renames it onto the
    /// output path.
    pub fn finish(mut self) -> Result<WriteSummary, VideoError> {
        let packets = self.encoder.finish()?;
        for packet in &packets {
            self.write_video_packet(packet)?;
        }
        let Some(mut output) = self.output.take() else {
            return Err(self.closed());
        };
        output
            .write_trailer()
            .map_err(|e| self.write_error("finishing the file", e))?;
        drop(output); // closes the file
        std::fs::File::open(&self.temp.path)
            .and_then(|file| file.sync_all())
            .and_then(|()| seer_core::atomic::commit_partial(&self.temp.path, &self.final_path))
            .map_err(|source| VideoError::WriteIo {
                path: self.final_path.clone(),
                source,
            })?;
        self.temp.keep = true;
        Ok(WriteSummary {
            path: self.final_path.clone(),
            frames: self.frames,
            codec: self.encoder.codec_name().to_string(),
            copied_packets: self.copied_packets,
            copied_streams: self.streams.iter().flatten().count().saturating_sub(1),
        })
    }
}
