"""Settings package: base (shared), local (embedded defaults), production, test.

Every module reads the environment through ``salync.settings.env``; production differs from
local only in its defaults and in what it requires.
"""
