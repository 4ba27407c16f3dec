/** What a storyboard file's name ends with. Its own module: the activation bundle needs it without the schema. */
export const STORYBOARD_SUFFIX = '.kling.json';
