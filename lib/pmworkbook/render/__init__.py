"""Turning plans into what people read: HTML fragments (Jinja), charts, the exported page
(nbconvert), PDF (WeasyPrint), calendars (.ics), letters (.eml) and forms (.xlsx)."""
