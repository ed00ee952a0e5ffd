"""The reviewer's editor (`bilingual review`): a local web app over the JSON form.

A thin layer: the page's checks are `check.DraftChecker`, its saves `review.save_edit` (the
write half `import` uses too), its exports `pipeline.export_file`. `app` builds the Starlette
app; `server` binds the port and runs it. Starlette, uvicorn and Jinja2 are imported only here,
when the command runs.
"""
