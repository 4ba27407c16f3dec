/**
 * The text of a new storyboard (Kling: New Storyboard…): valid as it is, with a commented example of each kind
 * of video. The kinds that need the user's own images are commented out, so the new file starts with no problem
 * and can be priced and rendered at once; removing the `//` in front of them is all it takes to use them.
 */
export function storyboardScaffold(): string {
  return `// A Kling Studio storyboard: each video below becomes one task and one <name>.mp4.
// Ctrl+Space offers the fields and their values; hover a field to read what it does.
// The price of each video is shown above it. Rendering shows the total and asks before spending.
{
  "version": 1,
  // Results go to a folder named after this file, unless "output" says otherwise (relative to this file):
  // "output": "media/videos",
  "defaults": {
    // Applied to every video unless the video says otherwise.
    "aspect_ratio": "16:9",
    "quality": "720p",
    "sound": "off"
  },
  "videos": [
    // From a prompt: 5 s at 720p, $0.375.
    {
      "name": "hero",
      "prompt": "A golden retriever running through a sunlit meadow, cinematic slow motion.",
      "duration": 5
    },
    // Multi-shot with your own shots: the video lasts their sum (4 + 6 = 10 s).
    {
      "name": "trailer",
      "shots": [
        { "prompt": "A person on a hilltop at dawn", "duration": 4 },
        { "prompt": "The camera pulls back to reveal the city", "duration": 6 }
      ]
    },
    // Multi-shot planned by the model from one prompt.
    {
      "name": "teaser",
      "prompt": "Product reveal, three dramatic angles",
      "duration": 9,
      "shots": "auto"
    },
    // From an image (the first frame; JPEG or PNG, relative to this file, or an https URL).
    // Add the image, then remove the // in front of the next line:
    // { "name": "logo-spin", "prompt": "The logo turns slowly", "image": "assets/logo.png" },
    // With an element defined below, named in the prompt as <<<element_1>>>. Remove the // here and in "elements":
    // { "name": "mascot-wave", "prompt": "<<<element_1>>> waves at the camera", "elements": ["mascot"] },
  ],
  // Reusable characters or objects, created once (1 credit each) and named by videos:
  // "elements": [
  //   { "name": "mascot", "description": "A round orange robot", "frontal_image": "assets/mascot.png", "refer_images": ["assets/mascot-side.png"] },
  // ],
}
`;
}
