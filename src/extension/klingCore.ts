// The editor's second bundle (dist/klingCore.js), loaded on first use: the API client (undici), the full zod schemas,
// validation, pricing, the task engine and the simulator. dist/extension.js stays small and quick to activate
// (docs/architecture.md, "Two editor bundles").
// Editor code that only a feature in use needs may come here too: it is loaded with `vscode` available, and it imports
// the core directly (not through loadCore). Kling Preview's editor (page, recipe, actions) loads when a video opens.
export { ApiError, isApiError } from '../core/api/apiError';
export { VideoRequest, CreateRequest, DURATION_MIN, DURATION_MAX, ASPECT_RATIOS, QUALITIES, SOUNDS, PROMPT_MAX } from '../core/api/apiSchemas';
export { KlingClient, describeRequest, isLoopback } from '../core/api/klingClient';
export { readSidecar, sidecarPathOf, isUpToDate } from '../core/download/sidecar';
export { readMp4Info } from '../core/media/mp4Info';
export { formatAmount, formatUsd, parseAmount, amountToNumber } from '../core/pricing/decimal';
export { priceVideo, totalPrice } from '../core/pricing/pricing';
export { planStoryboard, estimateJson } from '../core/render/storyboardPlan';
export { renderStoryboard, readKnownElements } from '../core/render/renderStoryboard';
export { buildVideoRequest, specFromStoryboardVideo } from '../core/request/buildRequest';
export { requestHash } from '../core/request/requestHash';
export { SIMULATOR_API_KEY, startSimulator } from '../core/simulator/simulatorServer';
export { checkStoryboardText, validateStoryboard, storyboardOutputDir, unreadStoryboardCheck } from '../core/storyboard/validateStoryboard';
export { readStoryboardFile } from '../core/storyboard/readStoryboardFile';
export { outlineStoryboard, videoAt } from '../core/storyboard/storyboardOutline';
export { storyboardScaffold } from '../core/storyboard/storyboardScaffold';
export { pollPolicyFor } from '../core/tasks/pollPolicyFor';
export { TaskEngine } from '../core/tasks/taskEngine';
// The words of the storyboard editor (lenses, hovers, the Storyboards view): pure, and only needed once a storyboard
// has been checked, which loads this bundle anyway.
export { videoStatus, fileSummary, videoLenses, fileLens, videoDescription, fileDescription, videoHoverMarkdown, estimateText, problemsRefusal, describeVideos, spendDetail, newElementsOf } from './storyboards/storyboardPresentation';
// Takes (issue 14): the store the views read, the lens and description, and the two panels with their actions.
export { takesLens, takesDescription } from './storyboards/storyboardPresentation';
export { listTakes } from '../core/takes/takeStore';
export { CompareTakesPanel } from './takes/compareTakesPanel';
export { StoryboardPlayerPanel } from './takes/storyboardPlayerPanel';
export { useTake, deleteTake, takesOf } from './takes/takeActions';
export { VideoPreview } from './preview/videoPreview';
// The composer's host: needed once its view is shown or a composer command runs (registerComposer.ts keeps only the
// registrations in the activation bundle). It uses the vscode API, which this bundle leaves external too.
export { createComposerView } from './composer/composerView';
export { animateImage } from './composer/animateImage';
export { continueFromFrame, useFrameInComposer } from './composer/composerFrames';
export { extractStoryboardFrames, webviewPoster } from './storyboards/storyboardFrames';
export { acceptImageFile, checkWorkspaceImage, pickImageFile } from './composer/composerImages';
export { generateFromComposer } from './composer/composerGenerate';
export { emptyDraft } from '../core/composer/composerForm';
export { editInComposer, editRequestInComposer } from './composer/editInComposer';
// Recording HTTP exchanges as HAR (klingStudio.recordHar): the backend manager composes the recorder into its dispatchers.
export { HarRecorder } from '../core/http/harRecorder';
export { createDispatcher } from '../core/api/klingClient';
// Images and elements on every surface (issue 11): uploads reused while their links last, elements made once.
export { ImageUploads } from '../core/uploads/imageUploads';
export { UploadCache } from '../core/uploads/uploadCache';
// Sending a request again (Retry from the Tasks view): its frames planned, expired uploads sent again.
export { framesToSend } from './generate/refreshFrames';
