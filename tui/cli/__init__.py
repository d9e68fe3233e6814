"""The `sidenote` command line (click): `main` parses, `commands/` call the store,
`output` prints. It never imports the app's widgets or screens, except to start the app."""
