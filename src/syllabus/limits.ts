/** A syllabus is a few kilobytes; anything past this is a wrong file, not a syllabus. */
export const MAX_SYLLABUS_BYTES = 1024 * 1024;
/** Bounds YAML alias expansion so a "billion laughs" file cannot eat the machine. */
export const MAX_ALIAS_COUNT = 100;
