"""The local runtime: the real application run offline on moto and a virtual clock."""
