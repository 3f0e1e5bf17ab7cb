"""Reports (Markdown, HTML, PDF, JSON) and segment lists other tools read (EDL, chapters, CSV, SRT, YouTube)."""
