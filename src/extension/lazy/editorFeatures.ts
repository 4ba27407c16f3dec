// The lazy bundle's second half: editor features that only a feature in use needs (Kling Preview, the composer's
// host, the takes panels, Retry's frame planning). They import the core directly or through loadCore(); only the
// activation bundle's registrations reach them, through loadFeatures(), so nothing here is reached back.
export { CompareTakesPanel } from '../takes/compareTakesPanel';
export { StoryboardPlayerPanel } from '../takes/storyboardPlayerPanel';
export { useTake, deleteTake, takesOf } from '../takes/takeActions';
export { VideoPreview } from '../preview/videoPreview';
export { createComposerView } from '../composer/composerView';
export { animateImage } from '../composer/animateImage';
export { acceptImageFile, checkWorkspaceImage, pickImageFile } from '../composer/composerImages';
export { generateFromComposer } from '../composer/composerGenerate';
export { editInComposer, editRequestInComposer } from '../composer/editInComposer';
export { framesToSend } from '../generate/refreshFrames';
export { copyVideoHtml } from '../preview/copyVideoHtml';
export { continueFromFrame, useFrameInComposer } from '../composer/composerFrames';
export { extractStoryboardFrames, webviewFrame, webviewPoster } from '../storyboards/storyboardFrames';
