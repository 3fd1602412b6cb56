/**
 * Strata's base, shared by every module: the exception family ({@link io.strata.StrataException}
 * at the root, {@link io.strata.CorruptionException} for damaged data, naming file and offset).
 * It lives in the {@code strata-wal} artifact, the lowest module that throws it; the file-system
 * interface every module uses is beside it in {@link io.strata.fs}.
 */
package io.strata;
