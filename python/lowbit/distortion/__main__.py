"""`python3 -m lowbit.distortion distortion ...` until the package-wide `python3 -m lowbit` lists it."""
from .cli import main

main()
