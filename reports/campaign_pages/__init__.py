"""The campaign list, the campaign page and the campaign API: the pages that show a campaign's figures.

They live downstream of every app because the figures count the leads, deals and hand-overs each campaign
brought (reports.selectors); campaigns itself sees only its own data. Its views that show no such figure
(the forms, the CSV upload, archiving) and its daily stats API stay in campaigns and are routed from here,
so every URL keeps its `campaigns:` or `campaigns-api:` name.
"""
