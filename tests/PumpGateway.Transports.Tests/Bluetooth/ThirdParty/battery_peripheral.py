#!/usr/bin/env python3
"""A third-party BlueZ peripheral, written the way dbus-python applications are: a GATT
application (Battery service, level read + notify) and an advertisement, registered with the
first adapter's GattManager1 and LEAdvertisingManager1 on the system bus. Point it at another bus
with DBUS_SYSTEM_BUS_ADDRESS. It prints READY once both registrations succeeded, then notifies a
falling battery level every 100 ms while a central listens."""
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

BLUEZ = "org.bluez"
PROPS = "org.freedesktop.DBus.Properties"
OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager"
GATT_SERVICE = "org.bluez.GattService1"
GATT_CHARACTERISTIC = "org.bluez.GattCharacteristic1"
ADVERTISEMENT = "org.bluez.LEAdvertisement1"
BATTERY_SERVICE = "0000180f-0000-1000-8000-00805f9b34fb"
BATTERY_LEVEL = "00002a19-0000-1000-8000-00805f9b34fb"
ROOT = "/com/example/thirdparty"


class Exported(dbus.service.Object):
    def __init__(self, bus, path, interface, properties):
        self.path = path
        self.interface = interface
        self.properties = properties
        super().__init__(bus, path)

    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self.properties

    @dbus.service.method(PROPS, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        return self.properties[name]


class Application(dbus.service.Object):
    def __init__(self, bus, objects):
        self.objects = objects
        super().__init__(bus, ROOT)

    @dbus.service.method(OBJECT_MANAGER, out_signature="a{oa{sa{sv}}}")
    def GetManagedObjects(self):
        return {o.path: {o.interface: o.properties} for o in self.objects}


class BatteryLevel(Exported):
    def __init__(self, bus, service_path):
        self.level = 100
        self.notifying = False
        super().__init__(bus, ROOT + "/service0/char0", GATT_CHARACTERISTIC, {
            "UUID": BATTERY_LEVEL,
            "Service": dbus.ObjectPath(service_path),
            "Flags": dbus.Array(["read", "notify"], signature="s"),
        })

    @dbus.service.method(GATT_CHARACTERISTIC, in_signature="a{sv}", out_signature="ay")
    def ReadValue(self, options):
        return dbus.Array([dbus.Byte(self.level)], signature="y")

    @dbus.service.method(GATT_CHARACTERISTIC)
    def StartNotify(self):
        self.notifying = True
        GLib.timeout_add(100, self.tick)

    @dbus.service.method(GATT_CHARACTERISTIC)
    def StopNotify(self):
        self.notifying = False

    @dbus.service.signal(PROPS, signature="sa{sv}as")
    def PropertiesChanged(self, interface, changed, invalidated):
        pass

    def tick(self):
        if not self.notifying or self.level == 0:
            return False
        self.level -= 1
        self.PropertiesChanged(GATT_CHARACTERISTIC, {"Value": dbus.Array([dbus.Byte(self.level)], signature="y")}, [])
        return True


class Advertisement(Exported):
    def __init__(self, bus, name):
        super().__init__(bus, ROOT + "/advertisement0", ADVERTISEMENT, {
            "Type": "peripheral",
            "ServiceUUIDs": dbus.Array([BATTERY_SERVICE], signature="s"),
            "LocalName": dbus.String(name),
        })

    @dbus.service.method(ADVERTISEMENT)
    def Release(self):
        pass


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "third-party-battery"
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    manager = dbus.Interface(bus.get_object(BLUEZ, "/"), OBJECT_MANAGER)
    adapter = next(path for path, ifaces in manager.GetManagedObjects().items() if "org.bluez.GattManager1" in ifaces)
    service = Exported(bus, ROOT + "/service0", GATT_SERVICE, {"UUID": BATTERY_SERVICE, "Primary": True})
    level = BatteryLevel(bus, service.path)
    application = Application(bus, [service, level])
    advertisement = Advertisement(bus, name)
    loop = GLib.MainLoop()
    pending = {"left": 2}

    def registered():
        pending["left"] -= 1
        if pending["left"] == 0:
            print("READY", flush=True)

    def failed(error):
        print("FAILED " + str(error), flush=True)
        loop.quit()

    adapter_object = bus.get_object(BLUEZ, adapter)
    dbus.Interface(adapter_object, "org.bluez.GattManager1").RegisterApplication(dbus.ObjectPath(ROOT), {}, reply_handler=registered, error_handler=failed)
    dbus.Interface(adapter_object, "org.bluez.LEAdvertisingManager1").RegisterAdvertisement(advertisement.path, {}, reply_handler=registered, error_handler=failed)
    loop.run()


if __name__ == "__main__":
    main()
