/**
 * Collection names and vector ids: a letter or digit, then up to 127 of `A-Za-z0-9._:-`. The API
 * validates requests with it and the FAISS import checks what it is about to store.
 */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';
