"""Tests of the mappers: one file per mapper module, one test per rule of SPEC section 2."""
