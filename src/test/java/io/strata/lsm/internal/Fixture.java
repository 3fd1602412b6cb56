package io.strata.lsm.internal;

/** A public class of an internal package, for {@code ArchitectureBreaches}. */
public final class Fixture {}
