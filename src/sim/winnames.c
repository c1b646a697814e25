/*
 * winnames.c - names of Windows components for the simulated base image: real
 * System32 file names with their descriptions, and the word lists that extend them to
 * a realistic volume (Windows.<Area>.<Part>.dll, drivers, .NET assemblies).
 */
#include "winnames.h"

const sim_win_name sim_win_system32[] = {
    {"kernel32.dll", "Windows NT BASE API Client DLL"}, {"kernelbase.dll", "Windows NT BASE API Client DLL"},
    {"ntdll.dll", "NT Layer DLL"}, {"user32.dll", "Multi-User Windows USER API Client DLL"},
    {"gdi32.dll", "GDI Client DLL"}, {"advapi32.dll", "Advanced Windows 32 Base API"},
    {"shell32.dll", "Windows Shell Common Dll"}, {"ole32.dll", "Microsoft OLE for Windows"},
    {"oleaut32.dll", "OLEAUT32.DLL"}, {"comctl32.dll", "User Experience Controls Library"},
    {"comdlg32.dll", "Common Dialogs DLL"}, {"ws2_32.dll", "Windows Socket 2.0 32-Bit DLL"},
    {"wininet.dll", "Internet Extensions for Win32"}, {"winhttp.dll", "Windows HTTP Services"},
    {"crypt32.dll", "Crypto API32"}, {"bcrypt.dll", "Windows Cryptographic Primitives Library"},
    {"ncrypt.dll", "Windows NCrypt Router"}, {"rpcrt4.dll", "Remote Procedure Call Runtime"},
    {"secur32.dll", "Security Support Provider Interface"}, {"sspicli.dll", "Security Support Provider Interface"},
    {"msvcrt.dll", "Windows NT CRT DLL"}, {"ucrtbase.dll", "Microsoft C Runtime Library"},
    {"combase.dll", "Microsoft COM for Windows"}, {"shlwapi.dll", "Shell Light-weight Utility Library"},
    {"setupapi.dll", "Windows Setup API"}, {"cfgmgr32.dll", "Configuration Manager DLL"},
    {"dnsapi.dll", "DNS Client API DLL"}, {"iphlpapi.dll", "IP Helper API"},
    {"netapi32.dll", "Net Win32 API DLL"}, {"mpr.dll", "Multiple Provider Router DLL"},
    {"userenv.dll", "Userenv"}, {"version.dll", "Version Checking and File Installation Libraries"},
    {"winmm.dll", "MCI API DLL"}, {"wintrust.dll", "Microsoft Trust Verification APIs"},
    {"imagehlp.dll", "Windows NT Image Helper"}, {"dbghelp.dll", "Windows Image Helper"},
    {"psapi.dll", "Process Status Helper"}, {"powrprof.dll", "Power Profile Helper DLL"},
    {"uxtheme.dll", "Microsoft UxTheme Library"}, {"dwmapi.dll", "Microsoft Desktop Window Manager API"},
    {"propsys.dll", "Microsoft Property System"}, {"windows.storage.dll", "Microsoft WinRT Storage API"},
    {"twinapi.appcore.dll", "twinapi.appcore"}, {"urlmon.dll", "OLE32 Extensions for Win32"},
    {"mshtml.dll", "MSHTML"}, {"jscript9.dll", "Microsoft (R) JScript"}, {"vbscript.dll", "Microsoft (R) VBScript"},
    {"msi.dll", "Windows Installer"}, {"netutils.dll", "Net Win32 API Helpers DLL"},
    {"samcli.dll", "Security Accounts Manager Client DLL"}, {"wkscli.dll", "Workstation Service Client DLL"},
    {"srvcli.dll", "Server Service Client DLL"}, {"logoncli.dll", "Net Logon Client DLL"},
    {"kerberos.dll", "Kerberos Security Package"}, {"msv1_0.dll", "Microsoft Authentication Package v1.0"},
    {"lsasrv.dll", "LSA Server DLL"}, {"samsrv.dll", "SAM Server DLL"}, {"wdigest.dll", "Microsoft Digest Access"},
    {"schannel.dll", "TLS / SSL Security Provider"}, {"mswsock.dll", "Microsoft Windows Sockets 2.0 Service Provider"},
    {"wbemcomn.dll", "WMI"}, {"fastprox.dll", "WMI Custom Marshaller"}, {"wmiutils.dll", "WMI"},
    {"taskschd.dll", "Task Scheduler COM API"}, {"schedsvc.dll", "Task Scheduler Service"},
    {"sechost.dll", "Host for SCM/SDDL/LSA Lookup APIs"}, {"services.exe", "Services and Controller app"},
    {"lsass.exe", "Local Security Authority Process"}, {"svchost.exe", "Host Process for Windows Services"},
    {"csrss.exe", "Client Server Runtime Process"}, {"smss.exe", "Windows Session Manager"},
    {"wininit.exe", "Windows Start-Up Application"}, {"winlogon.exe", "Windows Logon Application"},
    {"explorer.exe", "Windows Explorer"}, {"taskhostw.exe", "Host Process for Windows Tasks"},
    {"cmd.exe", "Windows Command Processor"}, {"conhost.exe", "Console Window Host"},
    {"rundll32.exe", "Windows host process (Rundll32)"}, {"regsvr32.exe", "Microsoft(C) Register Server"},
    {"mshta.exe", "Microsoft (R) HTML Application host"}, {"wscript.exe", "Microsoft (R) Windows Based Script Host"},
    {"cscript.exe", "Microsoft (R) Console Based Script Host"}, {"certutil.exe", "CertUtil.exe"},
    {"bitsadmin.exe", "BITS administration utility"}, {"schtasks.exe", "Task Scheduler Configuration Tool"},
    {"sc.exe", "Service Control Manager Configuration Tool"}, {"net.exe", "Net Command"},
    {"net1.exe", "Net Command"}, {"netsh.exe", "Network Command Shell"}, {"ipconfig.exe", "IP Configuration Utility"},
    {"nslookup.exe", "nslookup"}, {"ping.exe", "TCP/IP Ping Command"}, {"tasklist.exe", "Lists the current running tasks"},
    {"taskkill.exe", "Terminates Processes"}, {"whoami.exe", "whoami - displays logged on user information"},
    {"systeminfo.exe", "Displays system information"}, {"reg.exe", "Registry Console Tool"},
    {"regedit.exe", "Registry Editor"}, {"wmic.exe", "WMI Commandline Utility"}, {"msiexec.exe", "Windows® installer"},
    {"notepad.exe", "Notepad"}, {"calc.exe", "Windows Calculator"}, {"mspaint.exe", "Paint"},
    {"mstsc.exe", "Remote Desktop Connection"}, {"dllhost.exe", "COM Surrogate"}, {"spoolsv.exe", "Spooler SubSystem App"},
    {"SearchIndexer.exe", "Microsoft Windows Search Indexer"}, {"SearchProtocolHost.exe", "Microsoft Windows Search Protocol Host"},
    {"wermgr.exe", "Windows Problem Reporting"}, {"WerFault.exe", "Windows Problem Reporting"},
    {"dwm.exe", "Desktop Window Manager"}, {"sihost.exe", "Shell Infrastructure Host"},
    {"ctfmon.exe", "CTF Loader"}, {"fontdrvhost.exe", "Usermode Font Driver Host"},
    {"RuntimeBroker.exe", "Runtime Broker"}, {"backgroundTaskHost.exe", "Background Task Host"},
    {"audiodg.exe", "Windows Audio Device Graph Isolation"}, {"wuauclt.exe", "Windows Update"},
    {"usoclient.exe", "UsoClient"}, {"MpSigStub.exe", "Microsoft Malware Protection Signature Update Stub"},
    {"vssadmin.exe", "Command Line Interface for Microsoft® Volume Shadow Copy Service"},
    {"wevtutil.exe", "Eventing Command Line Utility"}, {"gpupdate.exe", "Microsoft® Group Policy Update Utility"},
    {"gpresult.exe", "Query Group Policy RSOP Data"}, {"klist.exe", "Tool for managing Kerberos tickets"},
    {"nltest.exe", "Microsoft® Logon Server Test Utility"}, {"dsregcmd.exe", "DSREG commandline extension"},
    {"robocopy.exe", "Microsoft Robocopy"}, {"xcopy.exe", "Extended Copy Utility"}, {"findstr.exe", "Find String (QGREP) Utility"},
    {"forfiles.exe", "ForFiles - Executes a command on selected files"}, {"curl.exe", "The curl executable"},
    {"tar.exe", "bsdtar archive tool"}, {"expand.exe", "LZ Expansion Utility"}, {"makecab.exe", "Microsoft® Cabinet Maker"},
    {"esentutl.exe", "Extensible Storage Engine Utilities for Microsoft(R) Windows(R)"},
    {"ntdsutil.exe", "NT5DS"}, {"dcdiag.exe", "Domain Controller Diagnosis"},
    {"ntoskrnl.exe", "NT Kernel & System"}, {"hal.dll", "Hardware Abstraction Layer DLL"},
    {"ci.dll", "Code Integrity Module"}, {"clfs.sys", "Common Log File System Driver"},
    {"tcpip.sys", "TCP/IP Driver"}, {"afd.sys", "Ancillary Function Driver for WinSock"},
    {"ndis.sys", "Network Driver Interface Specification (NDIS)"}, {"ntfs.sys", "NT File System Driver"},
    {"fltmgr.sys", "Microsoft Filesystem Filter Manager"}, {"ksecdd.sys", "Kernel Security Support Provider Interface"},
    {"cng.sys", "Kernel Cryptography, Next Generation"}, {"win32k.sys", "Full/Desktop Win32k Kernel Driver"},
    {"win32kbase.sys", "Base Win32k Kernel Driver"}, {"win32kfull.sys", "Full/Desktop Win32k Kernel Driver"},
    {"dxgkrnl.sys", "DirectX Graphics Kernel"}, {"storport.sys", "Microsoft Storage Port Driver"},
    {"disk.sys", "PnP Disk Driver"}, {"volmgr.sys", "Volume Manager Driver"}, {"mountmgr.sys", "Mount Point Manager"},
    {"netio.sys", "Network I/O Subsystem"}, {"http.sys", "HTTP Protocol Stack"}, {"mrxsmb.sys", "Windows NT SMB Minirdr"},
    {"srv2.sys", "Smb 2.0 Server driver"}, {"WdFilter.sys", "Microsoft antimalware file system filter driver"},
    {"d3d11.dll", "Direct3D 11 Runtime"}, {"dxgi.dll", "DirectX Graphics Infrastructure"},
    {"d3d12.dll", "Direct3D 12 Runtime"}, {"mfplat.dll", "Media Foundation Platform DLL"},
    {"msvcp_win.dll", "Microsoft® C Runtime Library"}, {"win32u.dll", "Win32u"}, {"gdi32full.dll", "GDI Client DLL"},
    {"cryptbase.dll", "Base cryptographic API DLL"}, {"bcryptprimitives.dll", "Windows Cryptographic Primitives Library"},
    {"msasn1.dll", "ASN.1 Runtime APIs"}, {"cryptsp.dll", "Cryptographic Service Provider API"},
    {"rsaenh.dll", "Microsoft Enhanced Cryptographic Provider"}, {"dpapi.dll", "Data Protection API"},
    {"profapi.dll", "User Profile Basic API"}, {"kernel.appcore.dll", "AppModel API Host"},
    {"windows.ui.dll", "Windows Runtime UI Foundation DLL"}, {"coremessaging.dll", "Microsoft CoreMessaging Dll"},
    {"wldp.dll", "Windows Lockdown Policy"}, {"amsi.dll", "Anti-Malware Scan Interface"},
    {"clbcatq.dll", "COM+ Configuration Catalog"}, {"edputil.dll", "EDP util"}, {"mpr.dll", "Multiple Provider Router DLL"},
    {"davhlpr.dll", "DAV Helper DLL"}, {"ntmarta.dll", "Windows NT MARTA provider"}, {"gpapi.dll", "Group Policy Client API"},
    {"WinTypes.dll", "Windows Base Types DLL"}, {"appresolver.dll", "App Resolver"}, {"cldapi.dll", "Windows Cloud API"},
    {"bcd.dll", "BCD Library"}, {"fveapi.dll", "Windows BitLocker Drive Encryption API"},
    {"vaultcli.dll", "Credential Vault Client Library"}, {"credui.dll", "Credential Manager User Interface"},
    {"wevtapi.dll", "Eventing Consumer API"}, {"pdh.dll", "Windows Performance Data Helper DLL"},
    {"srvsvc.dll", "Server Service DLL"}, {"wkssvc.dll", "Workstation Service DLL"}, {"dhcpcore.dll", "DHCP Client Service"},
    {"dnsrslvr.dll", "DNS Caching Resolver Service"}, {"nlasvc.dll", "Network Location Awareness 2"},
    {"termsrv.dll", "Remote Desktop Services"}, {"rdpcorets.dll", "RDP Core DLL"}, {"winrnr.dll", "LDAP RnR Provider DLL"},
    {"wldap32.dll", "Win32 LDAP API DLL"}, {"activeds.dll", "ADs Router Layer DLL"}, {"adsldpc.dll", "ADs LDAP Provider C DLL"},
};
const size_t sim_win_system32_count = sizeof sim_win_system32 / sizeof sim_win_system32[0];

const char *const sim_win_areas[] = {
    "AI", "ApplicationModel", "Devices", "Gaming", "Globalization", "Graphics", "Management", "Media",
    "Networking", "Perception", "Security", "Services", "Storage", "System", "UI", "Web", "Data",
    "Internal", "Shell", "CloudStore", "Speech", "Payments", "Mirage", "StateRepository", "Energy",
    "Help", "Holographic", "Launcher", "Search", "Accessibility"};
const size_t sim_win_areas_count = sizeof sim_win_areas / sizeof sim_win_areas[0];

const char *const sim_win_parts[] = {
    "Core", "Background", "Bluetooth", "Enumeration", "Geolocation", "Input", "Lights", "Midi",
    "Printers", "Radios", "Sensors", "Usb", "WiFi", "Display", "Imaging", "Capture", "Audio",
    "Playback", "Streaming", "Connectivity", "Proximity", "Authentication", "Credentials",
    "Cryptography", "Isolation", "Compression", "Search", "Provider", "Sync", "Xaml", "Composition",
    "Notifications", "Popups", "Text", "ViewManagement", "Http", "Syndication", "Json", "Xml",
    "Pdf", "Diagnostics", "Update", "Profile", "Power", "Threading", "Remote", "Speech", "Ink"};
const size_t sim_win_parts_count = sizeof sim_win_parts / sizeof sim_win_parts[0];

const char *const sim_win_stems[] = {
    "wpn", "cdp", "dmc", "nca", "wlan", "wwan", "bth", "usb", "hid", "sens", "mmc", "wmi", "srp",
    "tpm", "vds", "vss", "wcm", "wer", "wsc", "dsc", "dfs", "ipsec", "rasc", "sstp", "tapi", "upnp",
    "wdi", "wsd", "xps", "lpk", "mf", "ms", "net", "sync", "dev", "app", "print", "scan", "fax",
    "audio", "cred", "cert", "key", "smart", "peer", "home", "shell", "ui", "win", "web"};
const size_t sim_win_stems_count = sizeof sim_win_stems / sizeof sim_win_stems[0];

const char *const sim_win_suffixes[] = {
    "svc.dll", "api.dll", "core.dll", "ext.dll", "mgr.dll", "prov.dll", "host.exe", "cli.dll",
    "srv.dll", "ui.dll", "util.dll", "cfg.dll", "ps.dll", "res.dll", "eng.dll", "helper.dll"};
const size_t sim_win_suffixes_count = sizeof sim_win_suffixes / sizeof sim_win_suffixes[0];

const char *const sim_driver_vendors[] = {
    "iaStor", "e1d", "rt640", "nvlddm", "atikmd", "igdkmd", "bcmwl", "netwtw", "rtwlane", "athw",
    "iwd", "mrvl", "qcwl", "sdbus", "rtsper", "ibtusb", "btfilter", "hdaud", "rtkvhd", "cxaud",
    "synap", "elan", "ialpss", "mei", "tbt", "usbxhci", "nvme", "stornvme", "amdsata", "secnvme"};
const size_t sim_driver_vendors_count = sizeof sim_driver_vendors / sizeof sim_driver_vendors[0];

const char *const sim_net_assemblies[] = {
    "System", "System.Core", "System.Data", "System.Xml", "System.Web", "System.Drawing",
    "System.Windows.Forms", "System.Configuration", "System.Net.Http", "System.Runtime.Serialization",
    "System.ServiceModel", "System.Management", "System.Management.Automation", "System.DirectoryServices",
    "System.Security", "System.Transactions", "System.IdentityModel", "System.Xaml", "PresentationCore",
    "PresentationFramework", "WindowsBase", "Microsoft.CSharp", "Microsoft.VisualBasic",
    "Microsoft.PowerShell.Commands.Utility", "Microsoft.PowerShell.Commands.Management",
    "Microsoft.PowerShell.ConsoleHost", "Microsoft.PowerShell.Security", "Microsoft.WSMan.Management",
    "System.Numerics", "System.IO.Compression", "System.Net", "System.Web.Services", "System.Deployment",
    "System.Printing", "System.Speech", "UIAutomationClient", "UIAutomationTypes", "Accessibility"};
const size_t sim_net_assemblies_count = sizeof sim_net_assemblies / sizeof sim_net_assemblies[0];
