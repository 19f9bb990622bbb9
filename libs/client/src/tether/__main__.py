"""``python -m tether``: the command line."""

from tether._cli import main

if __name__ == "__main__":
    main(prog_name="tether")
