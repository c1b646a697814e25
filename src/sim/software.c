/*
 * software.c - third-party and line-of-business software the simulated hosts run:
 * vendor, signer, install directory and files with their VERSIONINFO identities.
 */
#include <stddef.h>

#include "software.h"

#define F(name, desc) {name, desc}
static const sim_pkg_file f_avagent[] = {F("avagent.exe", "Endpoint Protection Agent"), F("avupdate.exe", "Pattern File Updater"), F("avscan.dll", "Scan Engine"), F("avhook64.dll", "Behaviour Monitor"), F("avui.exe", "Endpoint Protection Console")};
static const sim_pkg_file f_avserver[] = {F("avmgmt.exe", "Management Server"), F("avweb.exe", "Management Web Service"), F("avdist.dll", "Update Distribution"), F("avdb.dll", "Management Database Access")};
static const sim_pkg_file f_office[] = {F("WINWORD.EXE", "Microsoft Word"), F("EXCEL.EXE", "Microsoft Excel"), F("POWERPNT.EXE", "Microsoft PowerPoint"), F("OUTLOOK.EXE", "Microsoft Outlook"), F("MSACCESS.EXE", "Microsoft Access"), F("mso.dll", "Microsoft Office component"), F("mso20win32client.dll", "Microsoft Office 2016 component"), F("OfficeClickToRun.exe", "Microsoft Office Click-to-Run"), F("ONENOTE.EXE", "Microsoft OneNote"), F("lync.exe", "Skype for Business")};
static const sim_pkg_file f_chrome[] = {F("chrome.exe", "Google Chrome"), F("chrome.dll", "Google Chrome"), F("chrome_elf.dll", "Google Chrome"), F("elevation_service.exe", "Google Chrome")};
static const sim_pkg_file f_firefox[] = {F("firefox.exe", "Firefox"), F("xul.dll", "Firefox"), F("mozglue.dll", "Firefox"), F("nss3.dll", "Firefox"), F("updater.exe", "Firefox Software Updater")};
static const sim_pkg_file f_edge[] = {F("msedge.exe", "Microsoft Edge"), F("msedge.dll", "Microsoft Edge"), F("msedge_elf.dll", "Microsoft Edge")};
static const sim_pkg_file f_reader[] = {F("AcroRd32.exe", "Adobe Acrobat Reader DC"), F("AcroRd32.dll", "Adobe Acrobat Reader DC"), F("AdobeCollabSync.exe", "Acrobat Collaboration Synchronizer"), F("RdrCEF.exe", "Adobe Acrobat Reader DC")};
static const sim_pkg_file f_7zip[] = {F("7z.exe", "7-Zip Console"), F("7zFM.exe", "7-Zip File Manager"), F("7zG.exe", "7-Zip GUI"), F("7z.dll", "7z Plugin")};
static const sim_pkg_file f_zoom[] = {F("Zoom.exe", "Zoom Meetings"), F("zWebview2Agent.exe", "Zoom"), F("CptHost.exe", "Zoom Sharing Service")};
static const sim_pkg_file f_teams[] = {F("Teams.exe", "Microsoft Teams"), F("Update.exe", "Microsoft Teams Installer")};
static const sim_pkg_file f_slack[] = {F("slack.exe", "Slack"), F("Update.exe", "Slack Installer")};
static const sim_pkg_file f_dropbox[] = {F("Dropbox.exe", "Dropbox"), F("DropboxUpdate.exe", "Dropbox Update"), F("QtCore5.dll", "C++ Application Development Framework")};
static const sim_pkg_file f_onedrive[] = {F("OneDrive.exe", "Microsoft OneDrive"), F("FileSyncHelper.exe", "Microsoft OneDrive File Sync Helper"), F("FileCoAuth.exe", "Microsoft OneDrive File Co-Authoring Executable")};
static const sim_pkg_file f_npp[] = {F("notepad++.exe", "Notepad++"), F("SciLexer.dll", "Scintilla.DLL - a Source Editing Component")};
static const sim_pkg_file f_putty[] = {F("putty.exe", "SSH, Telnet and Rlogin client"), F("pscp.exe", "Command-line SCP/SFTP client"), F("plink.exe", "Command-line SSH, Telnet, and Rlogin client"), F("pageant.exe", "PuTTY SSH authentication agent")};
static const sim_pkg_file f_winscp[] = {F("WinSCP.exe", "WinSCP: SFTP, FTP, WebDAV, S3 and SCP client"), F("WinSCP.com", "Console interface for WinSCP")};
static const sim_pkg_file f_vscode[] = {F("Code.exe", "Visual Studio Code"), F("ffmpeg.dll", "Visual Studio Code")};
static const sim_pkg_file f_git[] = {F("git.exe", "Git for Windows"), F("git-bash.exe", "Git for Windows"), F("bash.exe", "GNU Bash"), F("ssh.exe", "OpenSSH client")};
static const sim_pkg_file f_python[] = {F("python.exe", "Python"), F("pythonw.exe", "Python"), F("python37.dll", "Python Core")};
static const sim_pkg_file f_java[] = {F("java.exe", "Java(TM) Platform SE binary"), F("javaw.exe", "Java(TM) Platform SE binary"), F("jvm.dll", "Java HotSpot(TM) 64-Bit Server VM"), F("jp2launcher.exe", "Java(TM) Web Launcher")};
static const sim_pkg_file f_sapgui[] = {F("saplogon.exe", "SAP Logon"), F("sapgui.exe", "SAP GUI for Windows"), F("sapfront.dll", "SAP Frontend")};
static const sim_pkg_file f_acad[] = {F("acad.exe", "AutoCAD Application"), F("acdb23.dll", "AutoCAD Database"), F("AcCoreConsole.exe", "AutoCAD Core Console")};
static const sim_pkg_file f_plc[] = {F("plcedit.exe", "PLC Engineering Tool"), F("plccomm.dll", "PLC Communication Library"), F("plcsim.exe", "PLC Simulator")};
static const sim_pkg_file f_sccm[] = {F("CcmExec.exe", "SMS Agent Host"), F("CcmEval.exe", "Configuration Manager Health Evaluation"), F("ccmcore.dll", "CCM Core Component")};
static const sim_pkg_file f_vlc[] = {F("vlc.exe", "VLC media player"), F("libvlc.dll", "LibVLC")};

#define P(name, company, product, signer, dir, files, ver0, share, role) \
    {name, company, product, signer, dir, files, sizeof files / sizeof files[0], ver0, share, role}
#define MS_SIGNER "CN=Microsoft Corporation, O=Microsoft Corporation, L=Redmond, S=Washington, C=US"
const sim_package sim_packages[] = {
    P("av-agent", "ExampleAV Corporation", "ExampleAV Endpoint Protection", "CN=ExampleAV Corporation, O=ExampleAV Corporation, C=JP", "C:\\Program Files\\ExampleAV\\Agent", f_avagent, "12.0", 1.0, SIM_PKG_ALL),
    P("av-server", "ExampleAV Corporation", "ExampleAV Management Server", "CN=ExampleAV Corporation, O=ExampleAV Corporation, C=JP", "C:\\Program Files\\ExampleAV\\Management Server", f_avserver, "12.0", 1.0, SIM_PKG_AV_SERVER),
    P("office", "Microsoft Corporation", "Microsoft Office", MS_SIGNER, "C:\\Program Files\\Microsoft Office\\root\\Office16", f_office, "16.0", 0.92, SIM_PKG_ENDPOINT),
    P("chrome", "Google LLC", "Google Chrome", "CN=Google LLC, O=Google LLC, L=Mountain View, S=California, C=US", "C:\\Program Files (x86)\\Google\\Chrome\\Application", f_chrome, "73.0", 0.6, SIM_PKG_ENDPOINT),
    P("firefox", "Mozilla Corporation", "Firefox", "CN=Mozilla Corporation, O=Mozilla Corporation, L=Mountain View, S=California, C=US", "C:\\Program Files\\Mozilla Firefox", f_firefox, "66.0", 0.2, SIM_PKG_ENDPOINT),
    P("edge", "Microsoft Corporation", "Microsoft Edge", MS_SIGNER, "C:\\Program Files (x86)\\Microsoft\\Edge\\Application", f_edge, "75.0", 0.15, SIM_PKG_ENDPOINT),
    P("reader", "Adobe Systems Incorporated", "Adobe Acrobat Reader DC", "CN=Adobe Inc., O=Adobe Inc., L=San Jose, S=ca, C=US", "C:\\Program Files (x86)\\Adobe\\Acrobat Reader DC\\Reader", f_reader, "19.010", 0.7, SIM_PKG_ENDPOINT),
    P("7zip", "Igor Pavlov", "7-Zip", NULL, "C:\\Program Files\\7-Zip", f_7zip, "18.05", 0.5, SIM_PKG_ALL),
    P("zoom", "Zoom Video Communications, Inc.", "Zoom", "CN=Zoom Video Communications, Inc., O=Zoom Video Communications, Inc., C=US", "C:\\Users\\%u\\AppData\\Roaming\\Zoom\\bin", f_zoom, "4.4", 0.3, SIM_PKG_ENDPOINT),
    P("teams", "Microsoft Corporation", "Microsoft Teams", MS_SIGNER, "C:\\Users\\%u\\AppData\\Local\\Microsoft\\Teams\\current", f_teams, "1.2", 0.4, SIM_PKG_ENDPOINT),
    P("slack", "Slack Technologies Inc.", "Slack", "CN=Slack Technologies, Inc., O=Slack Technologies, Inc., C=US", "C:\\Users\\%u\\AppData\\Local\\slack\\app-3.4.2", f_slack, "3.4", 0.15, SIM_PKG_ENDPOINT),
    P("dropbox", "Dropbox, Inc.", "Dropbox", "CN=Dropbox, Inc, O=Dropbox, Inc, C=US", "C:\\Program Files (x86)\\Dropbox\\Client", f_dropbox, "72.4", 0.08, SIM_PKG_ENDPOINT),
    P("onedrive", "Microsoft Corporation", "Microsoft OneDrive", MS_SIGNER, "C:\\Users\\%u\\AppData\\Local\\Microsoft\\OneDrive\\19.043.0304.0007", f_onedrive, "19.043", 0.6, SIM_PKG_ENDPOINT),
    P("npp", "Don HO don.h@free.fr", "Notepad++", "CN=Notepad++, O=Notepad++, C=FR", "C:\\Program Files\\Notepad++", f_npp, "7.6", 0.25, SIM_PKG_ALL),
    P("putty", "Simon Tatham", "PuTTY suite", "CN=Simon Tatham, O=Simon Tatham, C=GB", "C:\\Program Files\\PuTTY", f_putty, "0.71", 0.1, SIM_PKG_ALL),
    P("winscp", "Martin Prikryl", "WinSCP", "CN=Martin Prikryl, O=Martin Prikryl, C=CZ", "C:\\Program Files (x86)\\WinSCP", f_winscp, "5.15", 0.08, SIM_PKG_ALL),
    P("vscode", "Microsoft Corporation", "Visual Studio Code", MS_SIGNER, "C:\\Users\\%u\\AppData\\Local\\Programs\\Microsoft VS Code", f_vscode, "1.33", 0.1, SIM_PKG_ENDPOINT),
    P("git", "The Git Development Community", "Git", "CN=Johannes Schindelin, O=Johannes Schindelin, C=DE", "C:\\Program Files\\Git\\cmd", f_git, "2.21", 0.08, SIM_PKG_ENDPOINT),
    P("python", "Python Software Foundation", "Python", "CN=Python Software Foundation, O=Python Software Foundation, C=US", "C:\\Program Files\\Python37", f_python, "3.7", 0.06, SIM_PKG_ENDPOINT),
    P("java", "Oracle Corporation", "Java Platform SE 8", "CN=Oracle America, Inc., O=Oracle America, Inc., C=US", "C:\\Program Files\\Java\\jre1.8.0_211\\bin", f_java, "8.0", 0.4, SIM_PKG_ALL),
    P("sapgui", "SAP SE", "SAP GUI for Windows", "CN=SAP SE, O=SAP SE, C=DE", "C:\\Program Files (x86)\\SAP\\FrontEnd\\SAPgui", f_sapgui, "7.50", 0.3, SIM_PKG_ENDPOINT),
    P("autocad", "Autodesk, Inc.", "AutoCAD", "CN=Autodesk, Inc., O=Autodesk, Inc., C=US", "C:\\Program Files\\Autodesk\\AutoCAD 2019", f_acad, "23.0", 0.0, SIM_PKG_ENGINEERING),
    P("plc", "CORP Factory Automation", "PLC Engineering Suite", NULL, "C:\\Program Files (x86)\\CORP\\PLC Engineering", f_plc, "5.2", 0.0, SIM_PKG_ENGINEERING),
    P("sccm", "Microsoft Corporation", "Microsoft System Center Configuration Manager", MS_SIGNER, "C:\\Windows\\CCM", f_sccm, "5.00", 0.97, SIM_PKG_ALL),
    P("vlc", "VideoLAN", "VLC media player", "CN=VideoLAN, O=VideoLAN, C=FR", "C:\\Program Files\\VideoLAN\\VLC", f_vlc, "3.0", 0.12, SIM_PKG_ENDPOINT),
};
const size_t sim_packages_count = sizeof sim_packages / sizeof sim_packages[0];

/* portable tools users keep in their profile; `renamed` is what some users call them */
const sim_portable sim_portables[] = {
    {"putty.exe", "PuTTY", "Simon Tatham", "SSH, Telnet and Rlogin client", "putty_0.71.exe"},
    {"procexp64.exe", "procexp", "Sysinternals - www.sysinternals.com", "Sysinternals Process Explorer", "taskmgr2.exe"},
    {"Autoruns64.exe", "Autoruns", "Sysinternals - www.sysinternals.com", "Autostart program viewer", "autoruns_new.exe"},
    {"7zPortable.exe", "7-Zip Portable", "PortableApps.com", "7-Zip Portable", "zip.exe"},
    {"notepad++.exe", "Notepad++", "Don HO don.h@free.fr", "Notepad++", "npp.exe"},
    {"WinSCPPortable.exe", "WinSCP Portable", "PortableApps.com", "WinSCP Portable", "scp_tool.exe"},
    {"Everything.exe", "Everything", "voidtools", "Everything", "search.exe"},
    {"FileZillaPortable.exe", "FileZilla Portable", "PortableApps.com", "FileZilla Portable", "ftp_client.exe"},
    {"GoogleChromePortable.exe", "Google Chrome Portable", "PortableApps.com", "Google Chrome Portable", "chrome.exe"},
    {"FirefoxPortable.exe", "Mozilla Firefox, Portable Edition", "PortableApps.com", "Mozilla Firefox, Portable Edition", "firefox.exe"},
    {"TeraTerm.exe", "Tera Term", "TeraTerm Project", "Tera Term", "ttermpro_old.exe"},
    {"WinMerge.exe", "WinMerge", "Thingamahoochie Software", "WinMerge", "diff.exe"},
};
const size_t sim_portables_count = sizeof sim_portables / sizeof sim_portables[0];
