// The writing half of mediabunny that Kling Studio uses; see mediabunnyInput.mts for why it sits behind its own
// ES module. Add a name here before using it elsewhere.
export { BufferTarget, EncodedAudioPacketSource, EncodedVideoPacketSource, Mp4OutputFormat, Output } from 'mediabunny';
