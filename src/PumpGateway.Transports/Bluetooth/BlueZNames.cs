namespace PumpGateway.Transports.Bluetooth;

/// <summary>The names of the BlueZ D-Bus API (doc/org.bluez.*.rst) and of the freedesktop interfaces it rests on.</summary>
public static class BlueZNames
{
    public const string Service = "org.bluez";

    public const string Adapter = "org.bluez.Adapter1";
    public const string Device = "org.bluez.Device1";
    public const string GattService = "org.bluez.GattService1";
    public const string GattCharacteristic = "org.bluez.GattCharacteristic1";
    public const string GattDescriptor = "org.bluez.GattDescriptor1";
    public const string GattManager = "org.bluez.GattManager1";
    public const string AdvertisingManager = "org.bluez.LEAdvertisingManager1";
    public const string Advertisement = "org.bluez.LEAdvertisement1";

    public const string ObjectManager = "org.freedesktop.DBus.ObjectManager";
    public const string Properties = "org.freedesktop.DBus.Properties";
    public const string Introspectable = "org.freedesktop.DBus.Introspectable";

    public const string ErrorFailed = "org.bluez.Error.Failed";
    public const string ErrorNotPermitted = "org.bluez.Error.NotPermitted";
    public const string ErrorNotSupported = "org.bluez.Error.NotSupported";
    public const string ErrorNotConnected = "org.bluez.Error.NotConnected";
    public const string ErrorInProgress = "org.bluez.Error.InProgress";
    public const string ErrorInvalidArguments = "org.bluez.Error.InvalidArguments";
    public const string ErrorDoesNotExist = "org.bluez.Error.DoesNotExist";
    public const string ErrorAlreadyExists = "org.bluez.Error.AlreadyExists";
    public const string ErrorNotAuthorized = "org.bluez.Error.NotAuthorized";
    public const string ErrorInvalidValueLength = "org.bluez.Error.InvalidValueLength";

    /// <summary>BlueZ's object path of a device: <c>{adapter}/dev_AA_BB_CC_DD_EE_FF</c>.</summary>
    public static string DevicePath(string adapterPath, string address) => $"{adapterPath}/dev_{address.Replace(':', '_')}";
}
