namespace PumpGateway.Fakes.BlueZ;

/// <summary>
/// Method signatures of the BlueZ interfaces the loopback and the peripherals export, as BlueZ's
/// documentation gives them. Clients that introspect before calling (dbus-python) marshal their
/// arguments from these, e.g. an empty options dictionary as <c>a{sv}</c>.
/// </summary>
internal static class BlueZIntrospection
{
    public const string Adapter = """
        <interface name="org.bluez.Adapter1">
          <method name="StartDiscovery"/>
          <method name="StopDiscovery"/>
          <method name="RemoveDevice"><arg name="device" type="o" direction="in"/></method>
          <method name="SetDiscoveryFilter"><arg name="filter" type="a{sv}" direction="in"/></method>
          <method name="GetDiscoveryFilters"><arg name="filters" type="as" direction="out"/></method>
        </interface>
        """;

    public const string GattManager = """
        <interface name="org.bluez.GattManager1">
          <method name="RegisterApplication"><arg name="application" type="o" direction="in"/><arg name="options" type="a{sv}" direction="in"/></method>
          <method name="UnregisterApplication"><arg name="application" type="o" direction="in"/></method>
        </interface>
        """;

    public const string AdvertisingManager = """
        <interface name="org.bluez.LEAdvertisingManager1">
          <method name="RegisterAdvertisement"><arg name="advertisement" type="o" direction="in"/><arg name="options" type="a{sv}" direction="in"/></method>
          <method name="UnregisterAdvertisement"><arg name="service" type="o" direction="in"/></method>
        </interface>
        """;

    public const string Device = """
        <interface name="org.bluez.Device1">
          <method name="Connect"/>
          <method name="Disconnect"/>
          <method name="ConnectProfile"><arg name="UUID" type="s" direction="in"/></method>
          <method name="DisconnectProfile"><arg name="UUID" type="s" direction="in"/></method>
          <method name="Pair"/>
          <method name="CancelPairing"/>
        </interface>
        """;

    public const string GattService = """<interface name="org.bluez.GattService1"/>""";

    public const string GattCharacteristic = """
        <interface name="org.bluez.GattCharacteristic1">
          <method name="ReadValue"><arg name="options" type="a{sv}" direction="in"/><arg name="value" type="ay" direction="out"/></method>
          <method name="WriteValue"><arg name="value" type="ay" direction="in"/><arg name="options" type="a{sv}" direction="in"/></method>
          <method name="StartNotify"/>
          <method name="StopNotify"/>
          <method name="Confirm"/>
        </interface>
        """;

    public const string GattDescriptor = """
        <interface name="org.bluez.GattDescriptor1">
          <method name="ReadValue"><arg name="options" type="a{sv}" direction="in"/><arg name="value" type="ay" direction="out"/></method>
          <method name="WriteValue"><arg name="value" type="ay" direction="in"/><arg name="options" type="a{sv}" direction="in"/></method>
        </interface>
        """;

    public const string Advertisement = """
        <interface name="org.bluez.LEAdvertisement1">
          <method name="Release"/>
        </interface>
        """;
}
