import importlib
import pkgutil

import campaign.settings as merged


def _modules():
    for info in pkgutil.iter_modules(merged.__path__):
        yield importlib.import_module(f"campaign.settings.{info.name}")


def test_no_two_settings_modules_bind_a_setting_to_different_values():
    """The package merges its modules with star-imports: a name bound twice would silently take the last."""
    seen = {}
    for module in _modules():
        for name, value in vars(module).items():
            if name.isupper():
                if name in seen:
                    assert value is seen[name][1], f"{name} in {module.__name__} and {seen[name][0]}"
                else:
                    seen[name] = (module.__name__, value)
    for name, (_, value) in seen.items():
        assert getattr(merged, name) is value, name
