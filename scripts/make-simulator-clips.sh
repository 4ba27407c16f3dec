#!/usr/bin/env bash
# Makes the tiny H.264 clips that the local simulator repeats into "generated" videos, and the small media fixtures
# that the media tests read. Run it by hand (dev time only) after changing the look of the clips, then commit the
# results: the simulator runs inside the extension, which cannot count on ffmpeg being installed, so at run time the
# clips are only remuxed (src/core/media/simulatedVideo.ts), never encoded.
#
# Last run with: ffmpeg 5.1.9-0+deb12u1 (Debian 12), libx264 core 164 r3095 baee400,
#                font LiberationSans-Bold.ttf from Debian's fonts-liberation 1:1.07.4-11.
# Another ffmpeg or x264 gives other bytes; the tests only rely on the properties below, not on the bytes.
#
# What each clip must be, because simulatedVideo.ts repeats it back to back:
#   - exactly 1 s: 24 frames at 24 fps, so any whole number of seconds is a whole number of repeats;
#   - one closed GOP starting with an IDR frame (keyint 24, no scene cuts, no open GOP), so every repeat decodes on
#     its own;
#   - no B-frames, so decode order is presentation order and the file needs no composition offsets or edit list;
#   - H.264 High profile, yuv420p, level 3.1 (720p) or 4.0 (1080p), which every browser and VS Code's player decode;
#   - no audio track at all: VS Code's bundled player cannot decode AAC, and a silent track would be worse than none;
#   - tiny, because the clips ship in the vsix: a still gradient, text and one small moving bar cost little even at
#     CRF 30 (about 67 KB for all six), and x264's SEI banner is removed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
clips_dir="$repo/media/simulator"
fixtures_dir="$repo/test/fixtures/media"
font=${FONT:-/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf}

command -v ffmpeg >/dev/null || { echo "ffmpeg is needed (apt-get install ffmpeg)" >&2; exit 1; }
[ -f "$font" ] || { echo "font not found: $font (apt-get install fonts-liberation, or set FONT=/path/to.ttf)" >&2; exit 1; }
[[ $(ffmpeg -hide_banner -encoders 2>/dev/null) == *libx264* ]] || { echo "this ffmpeg has no libx264" >&2; exit 1; }

mkdir -p "$clips_dir" "$fixtures_dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Options that keep the output free of things that change from run to run (creation times, encoder version tags).
bitexact=(-map_metadata -1 -fflags +bitexact -flags:v +bitexact)

# make_clip WIDTH HEIGHT LABEL LEVEL
make_clip() {
  local w=$1 h=$2 label=$3 level=$4
  local short=$((w < h ? w : h))
  local out="$clips_dir/clip-${w}x${h}.mp4"
  # drawtext reads its text from files: no escaping of ':' or spaces inside the filter graph.
  printf 'Kling Studio simulator' >"$work/title.txt"
  printf '%s  %sx%s  placeholder' "$label" "$w" "$h" >"$work/subtitle.txt"
  ffmpeg -v error -y \
    -f lavfi -i "gradients=s=${w}x${h}:r=24:n=2:seed=1:c0=0x10162f:c1=0x2a1b4a:x0=0:y0=0:x1=${w}:y1=${h},trim=end_frame=1,loop=loop=-1:size=1,setpts=N/24/TB" \
    -f lavfi -i "color=c=0xf5a524:s=$((short / 8))x$((short / 80)):r=24" \
    -filter_complex "[0][1]overlay=x='-w+(W+w)*t':y=H*0.72:shortest=1,
drawtext=fontfile=$font:textfile=$work/title.txt:fontcolor=white:fontsize=$((short / 12)):x=(w-text_w)/2:y=h*0.40,
drawtext=fontfile=$font:textfile=$work/subtitle.txt:fontcolor=0xb8b8d0:fontsize=$((short / 28)):x=(w-text_w)/2:y=h*0.40+$((short / 9)),
format=yuv420p" \
    -frames:v 24 -r 24 -an \
    -c:v libx264 -profile:v high -level:v "$level" -preset veryslow -crf 30 \
    -x264-params "keyint=24:min-keyint=24:scenecut=0:open-gop=0:bframes=0" \
    -bsf:v filter_units=remove_types=6 \
    "${bitexact[@]}" -movflags +faststart "$out"
  printf '%-48s %7d bytes\n' "${out#"$repo"/}" "$(wc -c <"$out")"
}

make_clip 1280 720 "16:9 720p" 3.1
make_clip 720 1280 "9:16 720p" 3.1
make_clip 720 720 "1:1 720p" 3.1
make_clip 1920 1080 "16:9 1080p" 4.0
make_clip 1080 1920 "9:16 1080p" 4.0
make_clip 1080 1080 "1:1 1080p" 4.0

# Fixtures for readMp4Info: 0.5 s at 64x64 with an audio track, written without +faststart so that the moov box
# comes after the mdat, as in files from tools that do not move it.
make_fixture() {
  local out=$1
  shift
  ffmpeg -v error -y -f lavfi -i "testsrc2=s=64x64:r=24" -f lavfi -i "sine=f=440:sample_rate=48000" -t 0.5 \
    -c:v libx264 -profile:v high -preset veryslow -crf 40 -pix_fmt yuv420p -bsf:v filter_units=remove_types=6 \
    "$@" "${bitexact[@]}" "$out"
  printf '%-48s %7d bytes\n' "${out#"$repo"/}" "$(wc -c <"$out")"
}
make_fixture "$fixtures_dir/aac-64x64.mp4" -c:a aac -b:a 32k -ac 1
make_fixture "$fixtures_dir/mp3-64x64.mp4" -c:a libmp3lame -b:a 32k -ac 1
