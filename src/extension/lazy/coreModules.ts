// The lazy bundle's first half: the core (the API client with undici, the full zod schemas, validation, pricing, the
// task engine, the simulator) and the storyboard editor's words, which are pure. Everything here is free of the
// editor's features: code of any layer may reach it through loadCore() without closing an import cycle.
export { ApiError, isApiError } from '../../core/api/apiError';
export { VideoRequest, CreateRequest, DURATION_MIN, DURATION_MAX, ASPECT_RATIOS, QUALITIES, SOUNDS, PROMPT_MAX } from '../../core/api/apiSchemas';
export { KlingClient, describeRequest, isLoopback } from '../../core/api/klingClient';
export { readSidecar, sidecarPathOf, isUpToDate } from '../../core/download/sidecar';
export { readMp4Info } from '../../core/media/mp4Info';
export { findSimulatorClipsDir, renderSimulatedVideo } from '../../core/media/simulatedVideo';
export { formatAmount, formatUsd, parseAmount, amountToNumber } from '../../core/pricing/decimal';
export { priceVideo, totalPrice } from '../../core/pricing/pricing';
export { planStoryboard, estimateJson } from '../../core/render/storyboardPlan';
export { renderStoryboard, readKnownElements } from '../../core/render/renderStoryboard';
export { buildVideoRequest, specFromStoryboardVideo } from '../../core/request/buildRequest';
export { requestHash } from '../../core/request/requestHash';
export { SIMULATOR_API_KEY, startSimulator } from '../../core/simulator/simulatorServer';
export { checkStoryboardText, validateStoryboard, storyboardLocations, storyboardOutputDir, unreadStoryboardCheck } from '../../core/storyboard/validateStoryboard';
export { readStoryboardFile } from '../../core/storyboard/readStoryboardFile';
export { outlineStoryboard, videoAt } from '../../core/storyboard/storyboardOutline';
export { storyboardScaffold } from '../../core/storyboard/storyboardScaffold';
export { pollPolicyFor } from '../../core/tasks/pollPolicyFor';
export { TaskEngine } from '../../core/tasks/taskEngine';
export { videoStatus, fileSummary, videoLenses, fileLens, videoDescription, fileDescription, videoHoverMarkdown, estimateText, problemsRefusal, describeVideos, spendDetail, newElementsOf } from '../storyboards/storyboardPresentation';
export { takesLens, takesDescription } from '../storyboards/storyboardPresentation';
export { listTakes } from '../../core/takes/takeStore';
export { adoptPlanRecords } from '../../core/records/adoptBesideRecords';
export { emptyDraft } from '../../core/composer/composerForm';
export { HarRecorder } from '../../core/http/harRecorder';
export { createDispatcher } from '../../core/api/klingClient';
export { ImageUploads } from '../../core/uploads/imageUploads';
export { UploadCache } from '../../core/uploads/uploadCache';
// Configured by loadCore() with the editor's bundle: the storyboard editor's words above are in its language.
export { config as configureL10n } from '@vscode/l10n';
