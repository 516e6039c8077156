"""`lowbit history`: each kernel's median over commits, from a folder of results files of one
machine. series.py collects and orders the points, figures.py draws them, command.py is the command.
"""
