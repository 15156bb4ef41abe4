/** RFC 6587 framing for syslog over TCP: the decoder the agent's TCP source uses, and the encoder. */
export {
  DEFAULT_MAX_FRAME_BYTES,
  decodeSyslogFrames,
  encodeOctetCounted,
  type FrameDecoderOptions,
  type FrameDecoderStats,
  type FrameError,
  SyslogFrameDecoder,
} from "./rfc6587.ts";
