"""The papers' claims beside this run's measurements: catalogue, measures, verdicts, scoreboard.

The catalogue (results/reference/claims.json) states every claim with its figure, platform,
measured counterpart and tolerance; `lowbit claims RUN_DIR` evaluates it on the result files of one
`make reproduce` run and writes RUN_DIR/claims.json. The verdict rules: docs/claims.md and
lowbit.claims.verdicts.
"""
