/** The composer's view id, apart from the rest so that the activation bundle and the lazily loaded host share it. */
export const COMPOSER_VIEW_ID = 'klingStudio.composer';
/** The editor tab's webview type (Open Composer in Editor). */
export const COMPOSER_EDITOR_ID = 'klingStudio.composerEditor';
