"""Feeds a nova.conf snippet to Nova's own code (Debian's python3-nova): oslo.config parsing of the
[libvirt] options, then LibvirtDriver._check_cpu_compatibility() (what nova-compute runs at start) against
a real libvirt, and Nova's flavor extra-spec validators for any hw: spec the snippet suggests.
Usage: nova_check.py URI VIRT_TYPE CONF...; prints one JSON line per nova.conf file (one Python start:
importing Nova is slow). 'refused' / 'extra_spec_refused' carry Nova's own messages."""
import json
import re
import sys


def check(conf_path, uri, virt_type):
    import nova.conf
    from nova import exception
    from nova.virt.libvirt import driver, host
    from nova.api.validation.extra_specs import validators
    import nova.version

    conf = nova.conf.CONF
    conf.reset()
    conf([], project='nova', default_config_files=[conf_path])
    conf.set_override('virt_type', virt_type, group='libvirt')
    out = {
        'nova': nova.version.version_string(),
        'cpu_mode': conf.libvirt.cpu_mode,
        'cpu_models': conf.libvirt.cpu_models,
        'cpu_model_extra_flags': conf.libvirt.cpu_model_extra_flags,
    }
    drv = driver.LibvirtDriver.__new__(driver.LibvirtDriver)
    drv._host = host.Host(uri)
    drv.cpu_models_mapping = {}
    drv._cpu_info = None
    try:
        drv._check_cpu_compatibility()
        out['models'] = [drv._get_cpu_model_mapping(m) for m in conf.libvirt.cpu_models]
        out['flags'] = [[f.name, f.policy] for f in map(drv._prepare_cpu_flag, conf.libvirt.cpu_model_extra_flags)]
    except (exception.Invalid, exception.InvalidCPUInfo) as e:
        out['refused'] = str(e)
    text = open(conf_path).read()
    specs = re.findall(r'--property (hw:\S+)=(\S+)', text)
    for key, value in specs:
        try:
            validators.validate(key, value)
        except Exception as e:  # the API answers 400 with this message
            out.setdefault('extra_spec_refused', []).append(f'{key}: {e}')
    return out


if __name__ == '__main__':
    uri, virt_type = sys.argv[1:3]
    for path in sys.argv[3:]:
        print(json.dumps(check(path, uri, virt_type)), flush=True)
