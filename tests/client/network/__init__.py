"""Tests of the network transport and the loopback servers it is tested against."""
