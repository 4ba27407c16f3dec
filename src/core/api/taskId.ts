/** How the service names a task (`task-unified-<seconds>-<8 letters or digits>`); kept apart from the schemas so the editor's first bundle can check one without loading zod. */
export const TASK_ID_PATTERN = /^task-unified-\d+-[a-z0-9]{8}$/;
