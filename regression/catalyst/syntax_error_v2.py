# script-version: 2.0
# Deliberately broken (test of start-up failure): a syntax error.
from paraview.simple import *
input = PVTrivialProducer(registrationName="input"
