/**
 * The Strata key-value engine: a log-structured merge tree with a skip-list memtable, a write-ahead
 * log, sorted table files and leveled compaction.
 *
 * <p>Not yet implemented: this module holds only its package declaration until the engine lands.
 */
package io.strata.lsm;
